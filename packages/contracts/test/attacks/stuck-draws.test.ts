// Attack 8 (issue 15): stuck draws and a locked buffer. `requestDraw` reserved 32 ETH for anyone, with no
// way back, even when too few operators had capacity for it ever to be drawn: a stranger could lock the
// buffer away from withdrawals. An approved draw whose 31 ETH was never confirmed (its 1 ETH deposit
// front-run) kept them reserved forever, and could be named for a "phantom" shortfall exit that frees
// nothing. Now requests need a committee's worth of capacity, an unconfirmed draw is abandoned after the
// timeout (seats and ETH released), and only a fully funded validator is an exit candidate.
// Measured on the contracts before the fix (commit 5be3caf, run with that API from a temporary worktree):
// three `requestDraw` calls by a stranger (0.00026 ETH of gas) with 15 operators locked 96 ETH of the
// buffer, with no call that could release them (now refused: 0 locked); an approved draw with 1 ETH
// deposited kept 31 ETH reserved with no release path, and a shortfall exit naming that never-activated
// validator was accepted and counted as 32 ETH in flight that never come (now `DrawNotFunded`, and the 31
// ETH are released by `abandon` after the timeout).
import { maxUint256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { abandonDraw } from '../../src/actions/abandon-draw.ts';
import {
  committeeDrawAbi,
  divETHAbi,
  operatorRegistryAbi,
  withdrawalQueueAbi,
} from '../../src/generated/index.ts';
import { createAnvilClient, useAnvil } from '../helpers/anvil.ts';
import { expectRevert } from '../helpers/crypto-errors.ts';
import {
  addOperators,
  approveAndFund,
  committeeOf,
  deploySystem,
  drawCommittee,
  stake,
  testAccount,
  tx,
} from '../helpers/system.ts';

const TIMEOUT = 5n;

describe('attack: draws that lock the buffer', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client, { dkgTimeoutBlocks: TIMEOUT });
      const staker = testAccount('stuck-staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('100'));
      await tx(client, {
        account: staker,
        address: system.divETH,
        abi: divETHAbi,
        functionName: 'approve',
        args: [system.withdrawalQueue, maxUint256],
      });
      return { system, staker };
    },
  });
  const div = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;

  it('refuses requests no committee could ever take: nothing of the buffer is locked', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await addOperators(client, system, Array(15).fill(5n), 'stuck-few');
    const attacker = testAccount('stuck-attacker');
    await client.setBalance({ address: attacker.address, value: parseEther('1') });
    const before = await div('availableForWithdrawals');
    for (let i = 0; i < 3; i++) {
      const refused = await expectRevert(() =>
        tx(client, {
          account: attacker,
          address: system.committeeDraw,
          abi: committeeDrawAbi,
          functionName: 'requestDraw',
        }),
      );
      expect(refused).toEqual({ name: 'NotEnoughOperators', args: [15n, 16n] });
    }
    // The damage: buffer locked away from withdrawals (96 ETH by three requests before the fix).
    expect(before - (await div('availableForWithdrawals'))).toBe(0n);
    expect(await div('reservedForDraws')).toBe(0n);
  });

  it('never exits a validator that was not funded, and releases its 31 ETH after the timeout', async () => {
    const client = chain.client();
    const { system, staker } = chain.context();
    await addOperators(client, system, Array(16).fill(1n), 'stuck-op');
    const drawId = await drawCommittee(client, system);
    // The DKG result is accepted and 1 ETH deposited; the other 31 ETH are never confirmed.
    await approveAndFund(client, system, drawId, parseEther('1'));
    expect(await div('reservedForDraws')).toBe(parseEther('31'));
    // A withdrawal the buffer cannot pay while the 31 ETH stay reserved.
    const available = await div('availableForWithdrawals');
    await tx(client, {
      account: staker,
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'requestWithdrawal',
      args: [available + parseEther('10')],
    });
    const phantom = await expectRevert(() =>
      tx(client, {
        address: system.withdrawalQueue,
        abi: withdrawalQueueAbi,
        functionName: 'requestShortfallExit',
        args: [drawId],
      }),
    );
    expect(phantom).toEqual({ name: 'DrawNotFunded', args: [drawId, parseEther('1')] });
    const keeper = createAnvilClient(chain.anvil().url, testAccount('stuck-keeper'));
    await client.setBalance({ address: keeper.account.address, value: parseEther('1') });
    const early = await expectRevert(() =>
      abandonDraw(keeper, { committeeDraw: system.committeeDraw, drawId }),
    );
    expect(early.name).toBe('ConfirmationNotTimedOut');
    await client.mine({ blocks: Number(TIMEOUT) + 1 });
    const hash = await abandonDraw(keeper, { committeeDraw: system.committeeDraw, drawId });
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe('success');
    // The damage: ETH reserved for a validator that will never be funded (31 ETH forever before).
    expect(await div('reservedForDraws')).toBe(0n);
    expect(await div('availableForWithdrawals')).toBe(available + parseEther('31'));
    const members = await committeeOf(client, system, drawId);
    for (const m of members) {
      expect(
        await client.readContract({
          address: system.operatorRegistry,
          abi: operatorRegistryAbi,
          functionName: 'keySharesOf',
          args: [m],
        }),
      ).toBe(0n);
    }
  });
});
