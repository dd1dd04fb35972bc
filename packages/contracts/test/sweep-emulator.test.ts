// The devnet's stand-in for the beacon chain's withdrawal sweep (WithdrawalSweepEmulator): what it
// forwards reaches divETH, is recorded per validator, and a report that states it as `withdrawnEther`
// while the validator's balance leaves `clBalance` moves exactly that ETH into the buffer.
import { keccak256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  divETHAbi,
  withdrawalSweepEmulatorAbi,
  withdrawalSweepEmulatorBytecode,
} from '../src/generated/index.ts';
import { deploy, useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import { deploySystem, report, setupFundedCommittee, submitReport, tx } from './helpers/system.ts';

const PUBKEY = `0x${'a1'.repeat(48)}` as const;

describe('WithdrawalSweepEmulator', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const { members } = await setupFundedCommittee(client, system);
      const emulator = await deploy(client, {
        abi: withdrawalSweepEmulatorAbi,
        bytecode: withdrawalSweepEmulatorBytecode,
        args: [system.divETH],
      });
      return { system, members, emulator };
    },
  });
  const div = (functionName: string) =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
    } as never) as Promise<bigint>;
  const emulator = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().emulator,
      abi: withdrawalSweepEmulatorAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;
  const sweep = (value: bigint, pubkey: `0x${string}` = PUBKEY) =>
    tx(chain.client(), {
      address: chain.context().emulator,
      abi: withdrawalSweepEmulatorAbi,
      functionName: 'sweep',
      args: [pubkey],
      value,
    });

  it('forwards to divETH, records per validator, and a report moves exactly the swept ETH into the buffer', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const deposited = parseEther('32');
    await submitReport(
      client,
      system,
      report(1n, { clBalance: deposited, clDepositedEther: deposited }),
      members.slice(0, 11),
    );
    const bufferedBefore = await div('bufferedEther');
    const pooledBefore = await div('totalPooledEther');
    const balanceBefore = await client.getBalance({ address: system.divETH });

    const swept = parseEther('32.1') + 7n; // the beacon balance in gwei × 10⁹, and then some wei
    await sweep(parseEther('32.1'));
    await sweep(7n);
    expect(await emulator('sweptOf', [keccak256(PUBKEY)])).toBe(swept);
    expect(await emulator('totalSwept')).toBe(swept);
    expect(await client.getBalance({ address: system.divETH })).toBe(balanceBefore + swept);
    expect(await client.getBalance({ address: chain.context().emulator })).toBe(0n);
    // Not income until a report states it.
    expect(await div('bufferedEther')).toBe(bufferedBefore);

    await submitReport(
      client,
      system,
      report(2n, { clBalance: 0n, clDepositedEther: deposited, exitedValidators: 1n, withdrawnEther: swept }),
      members.slice(0, 11),
    );
    expect(await div('countedWithdrawals')).toBe(swept);
    expect(await div('bufferedEther')).toBe(bufferedBefore + swept);
    expect(await div('totalPooledEther')).toBe(pooledBefore + swept - deposited);
    expect(await client.getBalance({ address: system.divETH })).toBe(await div('bufferedEther'));
  });

  it('refuses a key that is not 48 bytes, and an empty sweep', async () => {
    expect((await expectRevert(() => sweep(1n, `0x${'a1'.repeat(47)}`))).name).toBe('InvalidPubkeyLength');
    expect((await expectRevert(() => sweep(0n))).name).toBe('NothingSent');
  });
});
