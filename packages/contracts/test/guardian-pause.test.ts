// The guardian pause (issue 15, "also expected"): one pause of 7 days within the guardian's term, which
// ends by itself; it stops ETH moving into and out of the pool, never lets anyone take it, and claims of
// withdrawals already finalized go on.
import { maxUint256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { pauseProtocol } from '../src/actions/pause-protocol.ts';
import { unpauseProtocol } from '../src/actions/unpause-protocol.ts';
import { divETHAbi, withdrawalQueueAbi } from '../src/generated/index.ts';
import { createAnvilClient, useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  deploySystem,
  drawCommittee,
  reportNextFrame,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const guardian = testAccount('guardian');
const staker = testAccount('pause-staker');
const WEEK = 7 * 86_400;

describe('guardian pause', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client, {
        guardian: guardian.address,
        guardianTermSec: 30n * 86_400n,
      });
      for (const a of [guardian, staker])
        await client.setBalance({ address: a.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('100'));
      await tx(client, {
        account: staker,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'approve',
        args: [system.withdrawalQueue, maxUint256],
      });
      const operators = await addOperators(client, system, Array(16).fill(2n), 'pause-op');
      await drawCommittee(client, system);
      // A finalized withdrawal, to be claimed during the pause.
      await tx(client, {
        account: staker,
        address: system.withdrawalQueue,
        abi: withdrawalQueueAbi,
        functionName: 'requestWithdrawal',
        args: [parseEther('1')],
      });
      await reportNextFrame(client, system, operators.slice(0, 11));
      await tx(client, {
        address: system.withdrawalQueue,
        abi: withdrawalQueueAbi,
        functionName: 'finalize',
        args: [1n],
      });
      return { system };
    },
  });
  const queue = (functionName: string, args: readonly unknown[]) =>
    tx(chain.client(), {
      account: staker,
      address: chain.context().system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    });

  it('stops staking, draws and finalization for a week, then resumes by itself; claims go on', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const wallet = createAnvilClient(chain.anvil().url, guardian);
    await client.waitForTransactionReceipt({ hash: await pauseProtocol(wallet, { divETH: system.divETH }) });
    expect((await expectRevert(() => stake(client, system, staker, parseEther('1')))).name).toBe(
      'ProtocolPaused',
    );
    expect((await expectRevert(() => drawCommittee(client, system))).name).toBe('ProtocolPaused');
    await queue('requestWithdrawal', [parseEther('1')]);
    // The finalized request is claimed during the pause.
    await queue('claim', [1n, staker.address]);
    // A second pause is refused; the first ends by itself after 7 days.
    expect((await expectRevert(() => pauseProtocol(wallet, { divETH: system.divETH }))).name).toBe(
      'PauseAlreadyUsed',
    );
    await client.increaseTime({ seconds: WEEK });
    await client.mine({ blocks: 1 });
    await stake(client, system, staker, parseEther('1'));
    await drawCommittee(client, system);
  });

  it('lets only the guardian pause, within its term, and end the pause early', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const stranger = createAnvilClient(chain.anvil().url, staker);
    expect((await expectRevert(() => pauseProtocol(stranger, { divETH: system.divETH }))).name).toBe(
      'Unauthorized',
    );
    const wallet = createAnvilClient(chain.anvil().url, guardian);
    await client.waitForTransactionReceipt({ hash: await pauseProtocol(wallet, { divETH: system.divETH }) });
    expect((await expectRevert(() => unpauseProtocol(stranger, { divETH: system.divETH }))).name).toBe(
      'Unauthorized',
    );
    await client.waitForTransactionReceipt({
      hash: await unpauseProtocol(wallet, { divETH: system.divETH }),
    });
    await stake(client, system, staker, parseEther('1'));
    // A new deployment whose guardian's term is over cannot be paused at all.
    const late = await deploySystem(client, { guardian: guardian.address, guardianTermSec: 86_400n });
    await client.increaseTime({ seconds: 86_400 });
    await client.mine({ blocks: 1 });
    expect((await expectRevert(() => pauseProtocol(wallet, { divETH: late.divETH }))).name).toBe(
      'GuardianExpired',
    );
  });
});
