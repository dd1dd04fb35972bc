// WithdrawalQueue, requests larger than the buffer: each report's buffer finalizes the part it covers
// (at that report's rate), the rest keeps its place at the head of the queue, claims pay what is
// finalized and not yet paid (one `WithdrawalClaimed` per claim, with the amount), and the ERC-721's
// holder has the right to the rest.
import { type LocalAccount, maxUint256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, withdrawalQueueAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  approveAndFund,
  deploySystem,
  drawCommittee,
  reportNextFrame,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const alice = testAccount('alice');
const bob = testAccount('bob');
const carol = testAccount('carol');
const dave = testAccount('dave');

describe('WithdrawalQueue: partial finalization', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      for (const a of [alice, bob, carol, dave]) {
        await client.setBalance({ address: a.address, value: parseEther('1000') });
        await tx(client, {
          account: a,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [system.withdrawalQueue, maxUint256],
        });
      }
      await stake(client, system, alice, parseEther('100'));
      await stake(client, system, bob, parseEther('10'));
      const operators = await addOperators(client, system, Array(16).fill(1n));
      // A draw reserves 32 ETH: what is left for withdrawals is less than alice's 100.
      await drawCommittee(client, system);
      return { system, signers: operators.slice(0, 11) };
    },
  });
  const q = (account: LocalAccount, functionName: string, args: readonly unknown[] = []) =>
    tx(chain.client(), {
      account,
      address: chain.context().system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    });
  const read = <T = bigint>(functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    } as never) as Promise<T>;
  const available = () =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName: 'availableForWithdrawals',
    }) as Promise<bigint>;
  /** ETH `to` received from a claim of `requestId` by `account` (the claim pays `to`, not the sender). */
  const claimTo = async (account: LocalAccount, requestId: bigint, to: `0x${string}`) => {
    const before = await chain.client().getBalance({ address: to });
    await q(account, 'claim', [requestId, to]);
    return (await chain.client().getBalance({ address: to })) - before;
  };
  const sinkA = '0x000000000000000000000000000000000000a11c' as const;
  const sinkC = '0x000000000000000000000000000000000000ca01' as const;

  it('pays a request larger than the buffer in parts over several reports, in queue order', async () => {
    const client = chain.client();
    const { system, signers } = chain.context();
    const buffer = await available();
    expect(buffer).toBeLessThan(parseEther('100'));
    await q(alice, 'requestWithdrawal', [parseEther('100')]); // id 1
    await q(bob, 'requestWithdrawal', [parseEther('1')]); // id 2, behind it
    await reportNextFrame(client, system, signers);

    // Report 1: the whole buffer goes to the head of the queue; bob's small request, which the buffer
    // could have paid, does not move ahead.
    await q(carol, 'finalize', [10n]);
    expect(await read('lastFinalizedId')).toBe(0n);
    // The part is the buffer, rounded down (in shares, then in ETH) by a few wei at most.
    const part1 = await read('claimable', [1n]);
    expect(buffer - part1).toBeLessThan(4n);
    expect(await available()).toBe(buffer - part1);
    expect(await expectRevert(() => q(bob, 'claim', [2n, bob.address]))).toEqual({
      name: 'NotFinalized',
      args: [2n, 0n],
    });
    expect(await read('unfinalizedEther')).toBe(parseEther('101') - (await read('partialEther')));
    expect(await claimTo(alice, 1n, sinkA)).toBe(part1);
    // Claiming again pays nothing more.
    expect(await expectRevert(() => q(alice, 'claim', [1n, sinkA]))).toEqual({
      name: 'NothingToClaim',
      args: [1n, part1],
    });
    // Nothing new to finalize until the buffer grows.
    expect((await expectRevert(() => q(carol, 'finalize', [10n]))).name).toBe('NothingToFinalize');

    // Report 2: half of what is missing staked since; another part, still at the head.
    const half = (parseEther('100') - part1) / 2n;
    await stake(client, system, dave, half);
    await reportNextFrame(client, system, signers);
    await q(carol, 'finalize', [10n]);
    expect(await read('lastFinalizedId')).toBe(0n);
    const part2 = await read('claimable', [1n]);
    expect(half + buffer - part1 - part2).toBeLessThan(4n);
    const [partEvent] = await client.getContractEvents({
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      eventName: 'WithdrawalPartiallyFinalized',
      fromBlock: (await client.getBlockNumber()) - 1n,
    });
    expect(partEvent!.args).toMatchObject({ requestId: 1n, etherPaid: part2 });

    // The token moves the right to what is finalized and not yet paid, and to the rest.
    await q(alice, 'transferFrom', [alice.address, carol.address, 1n]);
    expect(await expectRevert(() => q(alice, 'claim', [1n, sinkA]))).toEqual({
      name: 'NotOwner',
      args: [1n, alice.address, carol.address],
    });
    expect(await claimTo(carol, 1n, sinkC)).toBe(part2);

    // Report 3: enough for the rest of alice's request and bob's, in that order.
    await stake(client, system, dave, parseEther('10'));
    await reportNextFrame(client, system, signers);
    await q(carol, 'finalize', [10n]);
    expect(await read('lastFinalizedId')).toBe(2n);
    expect(await read('partialShares')).toBe(0n);
    expect(await read('partialEther')).toBe(0n);
    expect(await read('unfinalizedEther')).toBe(0n);
    const rest = await read('claimable', [1n]);
    expect(await claimTo(carol, 1n, sinkC)).toBe(rest);
    // No rewards or losses: the parts add up to the request (shares rounding costs at most a few wei).
    const paid = part1 + part2 + rest;
    expect(paid).toBeLessThanOrEqual(parseEther('100'));
    expect(parseEther('100') - paid).toBeLessThan(10n);
    expect(await read('lockedEther')).toBe(await read('claimable', [2n]));
    // Fully paid: the token is burnt, a third claim is refused.
    expect((await expectRevert(() => read('ownerOf', [1n]))).name).toBe('ERC721NonexistentToken');
    expect(await expectRevert(() => q(carol, 'claim', [1n, sinkC]))).toEqual({
      name: 'AlreadyClaimed',
      args: [1n],
    });
    // One claim event per claim, each with its amount.
    const claims = await client.getContractEvents({
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      eventName: 'WithdrawalClaimed',
      fromBlock: 0n,
    });
    expect(claims.map((e) => [e.args.requestId, e.args.recipient, e.args.amount])).toEqual([
      [1n, sinkA, part1],
      [1n, sinkC, part2],
      [1n, sinkC, rest],
    ]);
    expect(await claimTo(bob, 2n, bob.address)).toBeGreaterThan(0n);
  });

  it('lets a partly finalized request be claimed once its rest is finalized, in one payment', async () => {
    const client = chain.client();
    const { system, signers } = chain.context();
    const buffer = await available();
    await q(alice, 'requestWithdrawal', [parseEther('100')]);
    await reportNextFrame(client, system, signers);
    await q(carol, 'finalize', [1n]);
    await stake(client, system, dave, parseEther('40'));
    await reportNextFrame(client, system, signers);
    await q(carol, 'finalize', [1n]);
    expect(await read('lastFinalizedId')).toBe(1n);
    // Never claimed in between: both parts in one claim.
    const paid = await claimTo(alice, 1n, sinkA);
    expect(paid).toBeGreaterThan(parseEther('100') - 10n);
    expect(paid).toBeLessThanOrEqual(parseEther('100'));
    expect(buffer).toBeLessThan(paid);
  });

  it('pays each part at the rate of the report that finalized it', async () => {
    const client = chain.client();
    const { system, signers } = chain.context();
    // The setup's draw becomes a validator with its 32 ETH.
    await approveAndFund(client, system, 1n);
    await q(alice, 'requestWithdrawal', [parseEther('100')]);
    await reportNextFrame(client, system, signers, {
      clBalance: parseEther('32'),
      clDepositedEther: parseEther('32'),
    });
    await q(carol, 'finalize', [1n]);
    const part1 = await read('claimable', [1n]);
    // The validator then lost 2 ETH; the next report's rate is lower, and so is the rest's payout.
    await stake(client, system, dave, parseEther('100'));
    await reportNextFrame(client, system, signers, {
      clBalance: parseEther('30'),
      clDepositedEther: parseEther('32'),
    });
    await q(carol, 'finalize', [1n]);
    const rest = (await read('claimable', [1n])) - part1;
    const restAtOldRate = parseEther('100') - part1;
    expect(rest).toBeLessThan((restAtOldRate * 99n) / 100n);
    expect(part1 + rest).toBe(await claimTo(alice, 1n, sinkA));
  });

  it('leaves a request whole when the buffer would cover less than the minimum part', async () => {
    const client = chain.client();
    const { system, signers } = chain.context();
    // Drain the buffer down to 50 gwei with a request of its size, then ask for more than that.
    const buffer = await available();
    await q(alice, 'requestWithdrawal', [buffer - 50_000_000_000n]);
    await q(bob, 'requestWithdrawal', [parseEther('5')]);
    await reportNextFrame(client, system, signers);
    await q(carol, 'finalize', [10n]);
    expect(await read('lastFinalizedId')).toBe(1n);
    expect(await read('partialShares')).toBe(0n);
    expect(await read('claimable', [2n])).toBe(0n);
    expect(await expectRevert(() => q(bob, 'claim', [2n, sinkA]))).toEqual({
      name: 'NotFinalized',
      args: [2n, 1n],
    });
  });
});
