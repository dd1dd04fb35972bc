// WithdrawalQueue: requests lock divETH at the current rate, finalize strictly in order as buffered ETH
// allows, pay min(requested, value at finalization), are claimed once by their owner; a shortfall
// lets anyone request the exit of an active validator.
import { getAddress, maxUint256, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { committeeDrawAbi, divETHAbi, withdrawalQueueAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { expectRevert } from './helpers/crypto-errors.ts';
import {
  addOperators,
  approveAndFund,
  deploySystem,
  drawCommittee,
  ROLES,
  reportNextFrame,
  stake,
  testAccount,
  tx,
} from './helpers/system.ts';

const alice = testAccount('alice');
const bob = testAccount('bob');

describe('WithdrawalQueue', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      for (const a of [alice, bob]) {
        await client.setBalance({ address: a.address, value: parseEther('1000') });
        await stake(client, system, a, parseEther('40'));
        await tx(client, {
          account: a,
          address: system.divETH,
          abi: divETHAbi,
          functionName: 'approve',
          args: [system.withdrawalQueue, maxUint256],
        });
      }
      return { system };
    },
  });
  const q = (account: unknown, functionName: string, args: readonly unknown[] = []) =>
    tx(chain.client(), {
      account,
      address: chain.context().system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    });
  const read = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName,
      args,
    } as never) as Promise<never>;

  it('locks divETH, finalizes in order at the next report and pays each owner once', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, Array(16).fill(1n));
    await drawCommittee(client, system);
    await q(alice, 'requestWithdrawal', [parseEther('3')]);
    await q(bob, 'requestWithdrawal', [parseEther('5')]);
    expect(await read('unfinalizedEther')).toBe(parseEther('8'));
    const notYet = await expectRevert(() => q(alice, 'claim', [1n, alice.address]));
    expect(notYet).toEqual({ name: 'NotFinalized', args: [1n, 0n] });
    // Not before a report whose reference epoch began after the requests.
    expect((await expectRevert(() => q(bob, 'finalize', [10n]))).name).toBe('NotReportedYet');
    await reportNextFrame(client, system, ops.slice(0, 11));
    await q(bob, 'finalize', [10n]);
    expect(await read('lastFinalizedId')).toBe(2n);
    expect(await expectRevert(() => q(bob, 'claim', [1n, bob.address]))).toEqual({
      name: 'NotOwner',
      args: [1n, bob.address, alice.address],
    });
    const before = await client.getBalance({ address: alice.address });
    await q(alice, 'claim', [1n, alice.address]);
    const gasless = (await client.getBalance({ address: alice.address })) - before;
    expect(gasless).toBeGreaterThan(parseEther('2.99'));
    expect(await expectRevert(() => q(alice, 'claim', [1n, alice.address]))).toEqual({
      name: 'AlreadyClaimed',
      args: [1n],
    });
    expect(await expectRevert(() => q(alice, 'claim', [3n, alice.address]))).toEqual({
      name: 'UnknownRequest',
      args: [3n],
    });
    expect(await expectRevert(() => q(alice, 'finalize', [10n]))).toMatchObject({
      name: 'NothingToFinalize',
    });
    // A request made after that report waits for the next one.
    await q(alice, 'requestWithdrawal', [parseEther('1')]);
    expect((await expectRevert(() => q(alice, 'finalize', [10n]))).name).toBe('NotReportedYet');
  });

  it('stops at the first request the buffer cannot pay: no one skips the line', async () => {
    const client = chain.client();
    const { system } = chain.context();
    // 16 operators and a draw reserve 32 ETH of the 80+ buffered.
    const ops = await addOperators(client, system, Array(16).fill(1n));
    await drawCommittee(client, system);
    const available = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'availableForWithdrawals',
    })) as bigint;
    await q(alice, 'requestWithdrawal', [parseEther('39')]);
    await q(bob, 'requestWithdrawal', [available - parseEther('38')]);
    await q(alice, 'requestWithdrawal', [parseEther('0.5')]);
    await reportNextFrame(client, system, ops.slice(0, 11));
    await q(bob, 'finalize', [10n]);
    // Bob's request doesn't fit; the 0.5 ETH one behind it, which would, waits too.
    expect(await read('lastFinalizedId')).toBe(1n);
  });

  it('pays the lower of the requested amount and the shares value after a loss', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, Array(16).fill(1n));
    const drawId = await drawCommittee(client, system);
    await approveAndFund(client, system, drawId);
    await q(alice, 'requestWithdrawal', [parseEther('10')]);
    // The validator lost 2 ETH.
    await reportNextFrame(client, system, ops.slice(0, 11), {
      clBalance: parseEther('30'),
      clDepositedEther: parseEther('32'),
    });
    await q(bob, 'finalize', [1n]);
    const request = (await read('getRequest', [1n])) as { payout: bigint; etherAmount: bigint };
    expect(request.payout).toBeLessThan(parseEther('10'));
    expect(request.etherAmount).toBe(parseEther('10'));
  });

  it('makes each request an ERC-721 token whose holder claims it', async () => {
    const client = chain.client();
    const { system } = chain.context();
    const ops = await addOperators(client, system, Array(16).fill(1n));
    await drawCommittee(client, system);
    await q(alice, 'requestWithdrawal', [parseEther('2')]);
    expect(await read('ownerOf', [1n])).toBe(alice.address);
    expect(await read('balanceOf', [alice.address])).toBe(1n);
    const carol = testAccount('carol');
    await client.setBalance({ address: carol.address, value: parseEther('1') });
    await q(alice, 'transferFrom', [alice.address, carol.address, 1n]);
    expect(await read('ownerOf', [1n])).toBe(carol.address);
    expect(((await read('getRequest', [1n])) as { owner: string }).owner).toBe(carol.address);
    await reportNextFrame(client, system, ops.slice(0, 11));
    await q(bob, 'finalize', [1n]);
    expect(await expectRevert(() => q(alice, 'claim', [1n, alice.address]))).toEqual({
      name: 'NotOwner',
      args: [1n, alice.address, carol.address],
    });
    const sink = getAddress('0x000000000000000000000000000000000000c0de');
    await q(carol, 'claim', [1n, sink]);
    expect(await client.getBalance({ address: sink })).toBe(parseEther('2'));
    const [claimed] = await client.getContractEvents({
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      eventName: 'WithdrawalClaimed',
    });
    expect(claimed!.args).toMatchObject({ requestId: 1n, owner: carol.address, recipient: sink });
    // The token is burnt with the claim.
    expect((await expectRevert(() => read('ownerOf', [1n]))).name).toBe('ERC721NonexistentToken');
  });

  it('refuses dust requests, unapproved amounts and unexpected ETH', async () => {
    const client = chain.client();
    const { system } = chain.context();
    expect(await expectRevert(() => q(alice, 'requestWithdrawal', [1n]))).toEqual({
      name: 'RequestTooSmall',
      args: [1n, 100_000_000_000n],
    });
    const carol = testAccount('carol');
    await client.setBalance({ address: carol.address, value: parseEther('10') });
    await stake(client, system, carol, parseEther('1'));
    expect((await expectRevert(() => q(carol, 'requestWithdrawal', [parseEther('1')]))).name).toBe(
      'InsufficientAllowance',
    );
    await expect(
      client.sendTransaction({ account: carol, to: system.withdrawalQueue, value: 1n, chain: null }),
    ).rejects.toThrow();
  });

  it('emits an exit request for an active validator only while there is a shortfall', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await addOperators(client, system, Array(16).fill(1n));
    const drawId = await drawCommittee(client, system);
    const noShortfall = await expectRevert(() => q(bob, 'requestShortfallExit', [drawId]));
    expect(noShortfall.name).toBe('NoShortfall');
    const available = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'availableForWithdrawals',
    })) as bigint;
    await q(alice, 'requestWithdrawal', [parseEther('39')]);
    await q(bob, 'requestWithdrawal', [parseEther('39')]);
    const [missing] = (await read('shortfall')) as [bigint, bigint];
    expect(missing).toBe(parseEther('78') - available);
    const notActive = await expectRevert(() => q(bob, 'requestShortfallExit', [drawId]));
    expect(notActive).toEqual({ name: 'DrawNotActive', args: [drawId, 2] });
    // Approved with only its first 1 ETH deposited: never activated, so never an exit candidate.
    await approveAndFund(client, system, drawId, parseEther('1'));
    const unfunded = await expectRevert(() => q(bob, 'requestShortfallExit', [drawId]));
    expect(unfunded).toEqual({ name: 'DrawNotFunded', args: [drawId, parseEther('1')] });
    await tx(client, {
      account: ROLES.dkgResult,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'fundDeposit',
      args: [drawId, parseEther('31')],
    });
    await q(bob, 'requestShortfallExit', [drawId]);
    const [event] = await client.getContractEvents({
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      eventName: 'ExitRequested',
    });
    expect(event!.args).toMatchObject({ drawId, reason: 4 });
    expect(
      await client.readContract({
        address: system.committeeDraw,
        abi: committeeDrawAbi,
        functionName: 'statusOf',
        args: [drawId],
      }),
    ).toBe(5); // Exited
    // The exit's 32 ETH in flight (and the undeposited reservation, released) cover the shortfall now.
    const again = await expectRevert(() => q(bob, 'requestShortfallExit', [drawId]));
    expect(again.name).toBe('NoShortfall');
  });
});
