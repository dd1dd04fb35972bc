// What a rebase does to the holders around divETH: wdivETH keeps its share count while its assets grow,
// a loss report leaves operators under-collateralized and anyone can then eject them, and the operators'
// 10% of rewards is split by seats held, not by operator.
import { type LocalAccount, maxUint256, parseEther, parseEventLogs } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, operatorRegistryAbi, wdivETHAbi } from '../src/generated/index.ts';
import type { AnvilClient } from './helpers/anvil.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  approveAndFund,
  committeeOf,
  deploySystem,
  drawCommittee,
  type Report,
  report,
  type System,
  stake,
  submitReport,
  testAccount,
  tx,
} from './helpers/system.ts';

/** Marks `drawId` approved and sends its 32 ETH to the deposit contract (ROLES.dkgResult stands in for both). */
const fundValidator = (client: AnvilClient, system: System, drawId: bigint) =>
  approveAndFund(client, system, drawId);

describe('rebases', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const staker = testAccount('rebase-staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      // Seat counts fixed by construction, whatever the draws' randomness: 15 operators with 2 seats
      // of collateral and one with 1 are exactly the first committee; one more with 1 seat joins, and
      // the 16 operators with a free seat are exactly the second. So 15 hold 2 seats, 2 hold 1, and
      // every operator's collateral backs exactly its seats.
      const early = await addOperators(client, system, [...Array(15).fill(2n), 1n], 'rebase-op');
      const first = await drawCommittee(client, system);
      const late = await addOperators(client, system, [1n], 'rebase-late');
      const operators = [...early, ...late];
      const draws = [first, await drawCommittee(client, system)];
      for (const drawId of draws) await fundValidator(client, system, drawId);
      const committees = await Promise.all(draws.map((d) => committeeOf(client, system, d)));
      const seated = operators.filter((o) => committees.some((c) => c.includes(o.address)));
      return { system, staker, operators, seated };
    },
  });
  const client = () => chain.client();
  const div = (functionName: string, args: readonly unknown[] = []) =>
    client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;
  const reg = (functionName: string, args: readonly unknown[] = []) =>
    client().readContract({
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName,
      args,
    } as never) as Promise<never>;
  const wdiv = (functionName: string, args: readonly unknown[] = []) =>
    client().readContract({
      address: chain.context().system.wdivETH,
      abi: wdivETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;
  /** A report signed by all seated operators (votes weigh seats); `clBalance` moves the pool. */
  const submit = (epoch: bigint, clBalance: bigint, penalties: Report['penalties'] = []) => {
    const { system, seated } = chain.context();
    const signers: LocalAccount[] = seated;
    return submitReport(
      client(),
      system,
      report(epoch, { clBalance, clDepositedEther: parseEther('64'), penalties }),
      signers,
    );
  };

  it('keeps the wdivETH share count fixed across a rebase while the assets behind it grow', async () => {
    const { system, staker } = chain.context();
    await tx(client(), {
      account: staker,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.wdivETH, maxUint256],
    });
    // The seed deposit made at deployment (wrapped for 0xdead) is in the vault from the start.
    const seedWshares = await wdiv('balanceOf', ['0x000000000000000000000000000000000000dEaD']);
    const seedDivShares = await div('sharesOf', [system.wdivETH]);
    expect(seedWshares).toBeGreaterThan(0n);
    await tx(client(), {
      account: staker,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'deposit',
      args: [parseEther('10'), staker.address],
    });
    const wshares = await wdiv('balanceOf', [staker.address]);
    const assetsBefore = await wdiv('totalAssets');
    const divSharesOfVault = await div('sharesOf', [system.wdivETH]);
    const pooledBefore = await div('totalPooledEther');
    // Rewards: +0.5 ETH on the beacon chain (within the 1% bound).
    await submit(1n, parseEther('64.5'));
    const pooledAfter = await div('totalPooledEther');
    expect(pooledAfter).toBe(pooledBefore + parseEther('0.5'));
    // The vault's balance rebased up; its wdivETH supply and the holder's count did not move.
    expect(await wdiv('balanceOf', [staker.address])).toBe(wshares);
    expect(await wdiv('totalSupply')).toBe(wshares + seedWshares);
    expect(await div('sharesOf', [system.wdivETH])).toBe(divSharesOfVault);
    const assetsAfter = await wdiv('totalAssets');
    expect(assetsAfter).toBeGreaterThan(assetsBefore);
    expect(assetsAfter).toBe(await div('balanceOf', [system.wdivETH]));
    // Each wdivETH is worth more divETH: what the holder redeems grew with the pool, less the 10% fee.
    const redeemable = await wdiv('previewRedeem', [wshares]);
    expect(redeemable).toBeGreaterThan(parseEther('10'));
    const expected = await div('getPooledEthByShares', [divSharesOfVault - seedDivShares]);
    expect(expected - redeemable).toBeLessThanOrEqual(1n);
    expect(redeemable).toBeLessThanOrEqual(expected);
    const before = await div('balanceOf', [staker.address]);
    await tx(client(), {
      account: staker,
      address: system.wdivETH,
      abi: wdivETHAbi,
      functionName: 'redeem',
      args: [wshares, staker.address, staker.address],
    });
    const received = (await div('balanceOf', [staker.address])) - before;
    expect(redeemable - received).toBeLessThanOrEqual(1n);
    expect(received).toBeGreaterThan(parseEther('10'));
  });

  it('lets anyone eject an operator a loss report left under-collateralized', async () => {
    const { system, seated } = chain.context();
    // Every operator's collateral backs exactly its seats (see the setup).
    const target = seated[0]!;
    const keeper = testAccount('rebase-keeper');
    await client().setBalance({ address: keeper.address, value: parseEther('1') });
    const eject = () =>
      tx(client(), {
        account: keeper,
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'ejectUndercollateralized',
        args: [target.address],
      });
    expect((await expectRevert(eject)).name).toBe('NotUndercollateralized');
    // A loss of 2 ETH on the beacon chain (within the 5% bound): every divETH is worth less, and the
    // operator's collateral (exactly 1 divETH per seat) no longer backs its seats.
    await submit(1n, parseEther('62'));
    const view = (await reg('operatorOf', [target.address])) as {
      collateralEther: bigint;
      keyShares: bigint;
    };
    expect(view.collateralEther).toBeLessThan(view.keyShares * parseEther('1'));
    const activeBefore = (await reg('activeOperatorCount')) as bigint;
    // Still above 90% of a seat's collateral per seat: a margin call first, ejection after the grace period.
    await eject();
    await client().increaseTime({ seconds: 3 * 86_400 });
    await client().mine({ blocks: 1 });
    const hash = await eject();
    const receipt = await client().waitForTransactionReceipt({ hash });
    const ejected = parseEventLogs({
      abi: operatorRegistryAbi,
      logs: receipt.logs,
      eventName: 'OperatorEjected',
    });
    expect(ejected.map((l) => l.args.operator)).toEqual([target.address]);
    expect(((await reg('operatorOf', [target.address])) as { ejected: boolean }).ejected).toBe(true);
    expect(await reg('activeOperatorCount')).toBe(activeBefore - 1n);
    // Done once: a second call is refused.
    expect(await expectRevert(eject)).toMatchObject({ name: 'NotUndercollateralized' });
  });

  it('splits the operators’ 10% of rewards by seats held', async () => {
    const { system, seated } = chain.context();
    const seatsOf = async (address: `0x${string}`) => (await reg('keySharesOf', [address])) as bigint;
    const seats = await Promise.all(seated.map((o) => seatsOf(o.address)));
    const one = seated[seats.indexOf(1n)];
    const two = seated[seats.indexOf(2n)];
    expect(one).toBeDefined();
    expect(two).toBeDefined();
    expect(seats.reduce((a, b) => a + b, 0n)).toBe(32n);
    expect(seats.filter((x) => x === 1n)).toHaveLength(2); // as the setup constructs it
    const registrySharesBefore = await div('sharesOf', [system.operatorRegistry]);
    await submit(1n, parseEther('64.32'));
    const feeShares = (await div('sharesOf', [system.operatorRegistry])) - registrySharesBefore;
    expect(feeShares).toBeGreaterThan(0n);
    const pending = async (address: `0x${string}`) => (await reg('pendingRewards', [address])) as bigint;
    const p1 = await pending(one!.address);
    const p2 = await pending(two!.address);
    // Per seat: the 2-seat operator gets twice the 1-seat one (each rounded down once).
    expect(p1).toBeGreaterThan(0n);
    expect(p2 - 2n * p1).toBeGreaterThanOrEqual(0n);
    expect(p2 - 2n * p1).toBeLessThanOrEqual(1n);
    // feeShares / 32 seats each, rounded down, never more than minted.
    expect(feeShares / 32n - p1).toBeLessThanOrEqual(1n);
    const all = await Promise.all(seated.map((o) => pending(o.address)));
    const total = all.reduce((a, b) => a + b, 0n);
    expect(total).toBeLessThanOrEqual(feeShares);
    expect(feeShares - total).toBeLessThanOrEqual(BigInt(seated.length));
  });
});
