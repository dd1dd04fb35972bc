// DepositContract: its root after any sequence of deposits equals the SSZ hash_tree_root of the
// List[DepositData, 2**32] (@chainsafe/ssz over Lodestar's DepositData), its events and count match
// the specification's encoding, and every refusal is a custom error.

import { depositDataRoot } from '@diva-dvt/beacon-api/spec';
import fc from 'fast-check';
import { bytesToHex, decodeEventLog, type Hex, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { depositContractAbi, depositContractBytecode } from '../src/generated/index.ts';
import { DEV_ACCOUNT, deploy, send, useAnvil } from './helpers/anvil.ts';
import { revertError } from './helpers/crypto-errors.ts';
import { DepositDataList } from './helpers/crypto-ssz.ts';

const EMPTY_ROOT = '0xd70a234731285c6804c2a4f56711ddb8c82c99740f207854891028af34e27e5e';

type Deposit = {
  pubkey: Uint8Array;
  withdrawalCredentials: Uint8Array;
  amount: bigint;
  signature: Uint8Array;
};

const depositArb: fc.Arbitrary<Deposit> = fc.record({
  pubkey: fc.uint8Array({ minLength: 48, maxLength: 48 }),
  withdrawalCredentials: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  amount: fc.bigInt({ min: 1_000_000_000n, max: 64_000_000_000n }), // Gwei: 1 ETH .. 64 ETH
  signature: fc.uint8Array({ minLength: 96, maxLength: 96 }),
});

/** The SSZ value of a deposit (Lodestar's DepositData holds the Gwei amount as a number). */
const ssz = (d: Deposit) => ({ ...d, amount: Number(d.amount) });
const listRoot = (deposits: readonly Deposit[]) =>
  bytesToHex(DepositDataList.hashTreeRoot(deposits.map(ssz)));

const le64 = (n: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return bytesToHex(b);
};

describe('DepositContract', () => {
  const chain = useAnvil({
    setup: async (client) => ({
      address: await deploy(client, { abi: depositContractAbi, bytecode: depositContractBytecode }),
    }),
  });
  const view = (functionName: 'get_deposit_root' | 'get_deposit_count') =>
    chain.client().readContract({ address: chain.context().address, abi: depositContractAbi, functionName });

  function depositTx(
    d: Deposit,
    root: Hex = bytesToHex(depositDataRoot(ssz(d))),
    value = d.amount * 1_000_000_000n,
  ) {
    return send(chain.client(), {
      address: chain.context().address,
      abi: depositContractAbi,
      functionName: 'deposit',
      args: [bytesToHex(d.pubkey), bytesToHex(d.withdrawalCredentials), bytesToHex(d.signature), root],
      value,
      chain: null,
    } as never);
  }

  it('starts with the empty list root and count 0', async () => {
    expect(await view('get_deposit_root')).toBe(EMPTY_ROOT);
    expect(listRoot([])).toBe(EMPTY_ROOT);
    expect(await view('get_deposit_count')).toBe(le64(0n));
  });

  it('keeps its root equal to the SSZ hash_tree_root of the deposit list (random sequences)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(depositArb, { minLength: 1, maxLength: 12 }), async (deposits) => {
        const snapshot = await chain.client().snapshot();
        try {
          for (let i = 0; i < deposits.length; i++) {
            await depositTx(deposits[i]!);
            expect(await view('get_deposit_root')).toBe(listRoot(deposits.slice(0, i + 1)));
          }
          expect(await view('get_deposit_count')).toBe(le64(BigInt(deposits.length)));
        } finally {
          await chain.client().revert({ id: snapshot });
        }
      }),
      { numRuns: 15 },
    );
  });

  it('matches the SSZ root through 70 deposits (tree levels 0 to 6 complete and incomplete)', async () => {
    const deposits = fc.sample(depositArb, { numRuns: 70, seed: 3 });
    for (const [i, d] of deposits.entries()) {
      await depositTx(d);
      if (i % 7 === 6 || i === 63 || i === 64) {
        expect(await view('get_deposit_root')).toBe(listRoot(deposits.slice(0, i + 1)));
      }
    }
    expect(await view('get_deposit_root')).toBe(listRoot(deposits));
  });

  it('emits DepositEvent with little-endian amount and index', async () => {
    const d = fc.sample(depositArb, { numRuns: 2, seed: 7 });
    await depositTx(d[0]!);
    const receipt = await depositTx(d[1]!);
    const log = decodeEventLog({ abi: depositContractAbi, ...receipt.logs[0]! } as never) as unknown as {
      eventName: string;
      args: Record<string, Hex>;
    };
    expect(log.eventName).toBe('DepositEvent');
    expect(log.args.pubkey).toBe(bytesToHex(d[1]!.pubkey));
    expect(log.args.withdrawal_credentials).toBe(bytesToHex(d[1]!.withdrawalCredentials));
    expect(log.args.amount).toBe(le64(d[1]!.amount));
    expect(log.args.signature).toBe(bytesToHex(d[1]!.signature));
    expect(log.args.index).toBe(le64(1n));
  });

  it('refuses bad deposits with custom errors', async () => {
    const [d] = fc.sample(depositArb, { numRuns: 1, seed: 11 }) as [Deposit];
    const good = bytesToHex(depositDataRoot(ssz(d)));
    const attempt = async (x: Deposit, root: Hex = good, value = d.amount * 1_000_000_000n) => {
      try {
        await depositTx(x, root, value);
      } catch (e) {
        return revertError(e);
      }
      return undefined;
    };
    expect(await attempt({ ...d, pubkey: d.pubkey.slice(0, 47) })).toEqual({
      name: 'PubkeyLength',
      args: [47n],
    });
    expect(await attempt({ ...d, withdrawalCredentials: new Uint8Array(31) })).toEqual({
      name: 'WithdrawalCredentialsLength',
      args: [31n],
    });
    expect(await attempt({ ...d, signature: new Uint8Array(95) })).toEqual({
      name: 'SignatureLength',
      args: [95n],
    });
    expect(await attempt(d, good, parseEther('0.5'))).toEqual({
      name: 'DepositTooSmall',
      args: [parseEther('0.5')],
    });
    expect(await attempt(d, good, parseEther('1') + 1n)).toEqual({
      name: 'DepositNotGweiMultiple',
      args: [parseEther('1') + 1n],
    });
    const huge = 2n ** 64n * 1_000_000_000n; // 2**64 Gwei does not fit the uint64 amount
    await chain.client().setBalance({ address: DEV_ACCOUNT, value: huge * 2n });
    expect(await attempt(d, good, huge)).toEqual({ name: 'DepositTooLarge', args: [huge] });
    const wrong = bytesToHex(depositDataRoot(ssz({ ...d, amount: d.amount + 1n })));
    expect(await attempt(d, wrong)).toEqual({ name: 'DepositDataRootMismatch', args: [wrong, good] });
    expect(await view('get_deposit_count')).toBe(le64(0n));
    expect(await attempt(d)).toBeUndefined();
    expect(await view('get_deposit_count')).toBe(le64(1n));
  });

  it('answers ERC-165 for itself and the deposit interface only', async () => {
    const supports = (id: Hex) =>
      chain.client().readContract({
        address: chain.context().address,
        abi: depositContractAbi,
        functionName: 'supportsInterface',
        args: [id],
      });
    expect(await supports('0x01ffc9a7')).toBe(true);
    expect(await supports('0x85640907')).toBe(true); // deposit ^ get_deposit_root ^ get_deposit_count (mainnet contract)
    expect(await supports('0xffffffff')).toBe(false);
  });
});
