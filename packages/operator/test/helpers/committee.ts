// Test committees: operators with secp256k1 identities and validators whose keys are split among
// them (a trusted dealer: fine in tests), and CommitteeSigners over a given network.
import { type Bls, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { createMemoryGuard } from '@diva-dvt/consensus/sim';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createSystemClock } from '../../src/clock.ts';
import type { OperatorAddress, ValidatorCommittee } from '../../src/committee/types.ts';
import type { P2pNetwork } from '../../src/p2p/types.ts';
import {
  CommitteeSigner,
  type CommitteeSignerComponents,
  type CommitteeSignerInit,
  type SignerValidator,
} from '../../src/runtime/committee-signer.ts';

export interface TestOperator {
  readonly address: OperatorAddress;
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function addressOf(publicKey: Uint8Array): OperatorAddress {
  const uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return `0x${Buffer.from(keccak_256(uncompressed.subarray(1)).subarray(12)).toString('hex')}`;
}

export function createOperators(count: number, seed = 1): TestOperator[] {
  return Array.from({ length: count }, (_, i) => {
    const secretKey = new Uint8Array(32);
    secretKey[0] = seed;
    secretKey[31] = i + 1;
    const publicKey = secp256k1.getPublicKey(secretKey, true);
    return { address: addressOf(publicKey), secretKey, publicKey };
  });
}

export interface TestValidator {
  readonly validatorIndex: number;
  readonly secretKey: SecretKey;
  readonly committee: ValidatorCommittee;
  /** Secret shares by operator address. */
  readonly shares: ReadonlyMap<OperatorAddress, { shareIndex: number; secretKey: SecretKey }>;
}

/** Validator `validatorIndex` with its key split among `members` (in share-index order). */
export function createValidator(
  validatorIndex: number,
  members: readonly TestOperator[],
  threshold: number,
): TestValidator {
  const scalar = new Uint8Array(32);
  scalar[31] = validatorIndex + 7;
  scalar[0] = 0x11;
  const secretKey = SecretKey.fromBytes(scalar);
  const split = splitSecretKey(secretKey, { threshold, shareCount: members.length });
  const committee: ValidatorCommittee = {
    groupPublicKey: secretKey.toPublicKey().bytes,
    threshold,
    validatorIndex,
    members: members.map((m, i) => ({
      operator: m.address,
      shareIndex: i + 1,
      publicShare: split.publicShares[i]!.publicKey.bytes,
    })),
  };
  const shares = new Map(members.map((m, i) => [m.address, split.shares[i]!]));
  return { validatorIndex, secretKey, committee, shares };
}

export function createSigner(
  bls: Bls,
  operator: TestOperator,
  operators: readonly TestOperator[],
  validators: readonly TestValidator[],
  network: P2pNetwork,
  extra: Partial<CommitteeSignerComponents> = {},
  init: Partial<CommitteeSignerInit> = {},
): CommitteeSigner {
  const mine: SignerValidator[] = validators.flatMap((v) => {
    const share = v.shares.get(operator.address);
    return share === undefined ? [] : [{ validatorIndex: v.validatorIndex, committee: v.committee, share }];
  });
  return new CommitteeSigner(
    {
      network,
      bls,
      clock: createSystemClock(),
      guardFor: () => createMemoryGuard(),
      ...extra,
    },
    {
      self: operator.address,
      identityKey: operator.secretKey,
      operatorKeys: new Map(operators.map((o) => [o.address, o.publicKey])),
      validators: mine,
      roundTimeoutMs: 400,
      lingerMs: 500,
      ...init,
    },
  );
}
