// `depositOrderValidatorIndex` (before genesis: a validator's index is its key's place among the
// deposit contract's verified first deposits) read every deposit log again at each lookup. Real
// Anvil with the whole system deployed (its own deposit contract), real BLS deposits made directly,
// and the lookup on a client whose transport records each eth_getLogs: the indices follow the
// deposit order (a second deposit of a key adds nothing, a bad signature is skipped) and every log is
// fetched once over all lookups, each read starting after the block the previous one reached.
import { depositDataRoot, depositSigningRoot } from '@diva-dvt/beacon-api/spec';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { depositContractAbi } from '@diva-dvt/contracts/abis';
import { createPublicClient, custom, type Hex, hexToBytes, http, parseEther, toHex } from 'viem';
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
import { depositOrderValidatorIndex } from '../../src/index.ts';
import { bls } from '../helpers/harness.ts';
import { deployForTests, GENESIS_FORK_VERSION } from './agents.ts';
import { type AnvilProcess, startAnvil } from './helpers.ts';

let anvil: AnvilProcess | undefined;
afterAll(async () => anvil?.stop());

const credentials = hexToBytes(`0x01${'00'.repeat(11)}${'ab'.repeat(20)}`);
const keyOf = (i: number) => SecretKey.fromBytes(new Uint8Array(32).fill(0x20 + i));

describe('depositOrderValidatorIndex: reads', () => {
  it('finds each index in deposit order and fetches every deposit log once', async () => {
    anvil = await startAnvil();
    const { admin, deployment } = await deployForTests(anvil.url);
    const depositContract = deployment.depositContract!;
    const fork = hexToBytes(GENESIS_FORK_VERSION);
    const deposit = async (i: number, valid = true) => {
      const key = keyOf(i);
      const pubkey = key.toPublicKey().bytes;
      const amount = 1_000_000_000;
      const signed = depositSigningRoot(fork, { pubkey, withdrawalCredentials: credentials, amount });
      // a bad signature: over another message
      const signature = bls.sign(key, valid ? signed : new Uint8Array(32)).bytes;
      const root = depositDataRoot({ pubkey, withdrawalCredentials: credentials, amount, signature });
      const hash = await writeContract(admin, {
        address: depositContract,
        abi: depositContractAbi,
        functionName: 'deposit',
        args: [toHex(pubkey), toHex(credentials), toHex(signature), toHex(root)],
        value: parseEther('1'),
        chain: foundry,
        account: admin.account,
      });
      expect((await waitForTransactionReceipt(admin, { hash })).status).toBe('success');
    };
    const getLogs: { fromBlock: Hex; toBlock: Hex; count: number }[] = [];
    const base = http(anvil.url, { retryCount: 0 })({ chain: foundry });
    const client = createPublicClient({
      chain: foundry,
      transport: custom({
        async request({ method, params }: { method: string; params?: unknown }) {
          const result = await base.request({ method, params } as never);
          if (method === 'eth_getLogs') {
            const [filter] = params as [{ fromBlock: Hex; toBlock: Hex }];
            getLogs.push({ ...filter, count: (result as unknown[]).length });
          }
          return result;
        },
      }),
    });
    const indexOf = depositOrderValidatorIndex({
      client,
      depositContract,
      fromBlock: deployment.fromBlock,
      genesisForkVersion: fork,
      bls,
    });
    const lookup = (i: number) =>
      indexOf({ groupPublicKey: keyOf(i).toPublicKey().bytes, withdrawalCredentials: credentials });

    await deposit(0);
    await deposit(1, false); // skipped: its first deposit does not verify
    await deposit(2);
    expect(await lookup(0)).toBe(0);
    expect(await lookup(2)).toBe(1);
    expect(await lookup(1)).toBeUndefined();
    await deposit(0); // a known key's later deposit only adds balance
    await deposit(3);
    expect(await lookup(3)).toBe(2);
    expect(await lookup(0)).toBe(0);
    // the protocol's credentials are part of the statement: others are not this validator
    expect(
      await indexOf({
        groupPublicKey: keyOf(3).toPublicKey().bytes,
        withdrawalCredentials: new Uint8Array(32),
      }),
    ).toBeUndefined();

    // five deposits, each log fetched once; each read starts after the block the last one reached
    expect(getLogs.reduce((n, g) => n + g.count, 0)).toBe(5);
    for (let i = 1; i < getLogs.length; i++) {
      expect(BigInt(getLogs[i]!.fromBlock)).toBe(BigInt(getLogs[i - 1]!.toBlock) + 1n);
    }
  }, 60_000);
});
