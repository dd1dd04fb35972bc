// Deposit data signed by our own code: roots from @diva-dvt/beacon-api, signatures from
// @diva-dvt/bls-threshold, as an operator's tooling would make them.
import { createHash } from 'node:crypto';
import { depositSigningRoot } from '@diva-dvt/beacon-api/spec';
import type { Bls, SecretKey } from '@diva-dvt/bls-threshold';
import type { GenesisDeposit } from '../../src/index.ts';

export const GWEI_PER_ETH = 1_000_000_000n;

/** 0x00 ‖ sha256(pubkey)[1:]: BLS withdrawal credentials. */
export function blsWithdrawalCredentials(pubkey: Uint8Array): Uint8Array {
  const c = createHash('sha256').update(pubkey).digest();
  c[0] = 0;
  return new Uint8Array(c);
}

/** 0x01 ‖ 11 zero bytes ‖ address: execution-address withdrawal credentials. */
export function executionWithdrawalCredentials(address: Uint8Array): Uint8Array {
  const c = new Uint8Array(32);
  c[0] = 1;
  c.set(address, 12);
  return c;
}

export function makeDeposit(
  bls: Bls,
  secretKey: SecretKey,
  opts: { amountGwei: bigint; forkVersion: Uint8Array; withdrawalCredentials?: Uint8Array },
): GenesisDeposit {
  const pubkey = secretKey.toPublicKey().bytes;
  const withdrawalCredentials = opts.withdrawalCredentials ?? blsWithdrawalCredentials(pubkey);
  const root = depositSigningRoot(opts.forkVersion, {
    pubkey,
    withdrawalCredentials,
    amount: Number(opts.amountGwei),
  });
  return {
    pubkey,
    withdrawalCredentials,
    amountGwei: opts.amountGwei,
    signature: bls.sign(secretKey, root).bytes,
  };
}
