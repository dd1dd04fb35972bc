// Accounting: reports need EIP-712 signatures of a 2/3 quorum of active operators in ascending order;
// sanity bounds cap the change per report; rewards give 10% to seats (claimable per seat);
// penalties come out of collateral and eject the under-collateralized.
import { type LocalAccount, parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { accountingAbi, divETHAbi, operatorRegistryAbi } from '../src/generated/index.ts';
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
  signReport,
  stake,
  submitReport,
  testAccount,
  tx,
} from './helpers/system.ts';

describe('Accounting', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client, { maxAnnualIncreaseBps: 36_500n, maxDailyDecreaseBps: 500n });
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('64'));
      const operators = await addOperators(client, system, Array(18).fill(2n));
      const drawId = await drawCommittee(client, system);
      const committee = await committeeOf(client, system, drawId);
      const members = committee.map((address) => operators.find((o) => o.address === address)!);
      return { system, operators, members, drawId };
    },
  });
  const div = (functionName: string, args: readonly unknown[] = []) =>
    chain.client().readContract({
      address: chain.context().system.divETH,
      abi: divETHAbi,
      functionName,
      args,
    } as never) as Promise<bigint>;
  const submit = (r: Report, signers: readonly LocalAccount[]) =>
    submitReport(chain.client(), chain.context().system, r, signers);

  it('needs ceil(2/3) of active operators: 11 of 16', async () => {
    const { members } = chain.context();
    expect(
      await chain.client().readContract({
        address: chain.context().system.accounting,
        abi: accountingAbi,
        functionName: 'quorum',
      }),
    ).toBe(11n);
    expect(await expectRevert(() => submit(report(1n), members.slice(0, 10)))).toEqual({
      name: 'QuorumNotReached',
      args: [10n, 11n],
    });
    await submit(report(1n), members.slice(0, 11));
    expect(
      await chain.client().readContract({
        address: chain.context().system.accounting,
        abi: accountingAbi,
        functionName: 'lastEpoch',
      }),
    ).toBe(1n);
  });

  it('refuses signers out of order, repeated, or not active', async () => {
    const client = chain.client();
    const { system, members, operators } = chain.context();
    const r = report(1n);
    const sigs = await signReport(client, system, r, members.slice(0, 11));
    const call = (signatures: readonly `0x${string}`[]) =>
      tx(client, {
        address: system.accounting,
        abi: accountingAbi,
        functionName: 'submitReport',
        args: [r, signatures],
      });
    expect(await expectRevert(() => call([...sigs].reverse()))).toEqual({
      name: 'SignersNotSorted',
      args: [1n],
    });
    expect(await expectRevert(() => call([sigs[0]!, sigs[0]!, ...sigs.slice(1)]))).toEqual({
      name: 'SignersNotSorted',
      args: [1n],
    });
    const outsider = operators.find((o) => !members.includes(o))!;
    const mixed = await signReport(client, system, r, [...members.slice(0, 10), outsider]);
    const error = await expectRevert(() => call(mixed));
    expect(error.name).toBe('NotActiveOperator');
    expect(error.args[0]).toBe(outsider.address);
  });

  it('refuses a stale epoch and a decreasing exit count', async () => {
    const { members } = chain.context();
    await submit(report(5n, { exitedValidators: 1n }), members.slice(0, 11));
    expect(await expectRevert(() => submit(report(5n), members.slice(0, 11)))).toEqual({
      name: 'StaleReport',
      args: [5n, 5n],
    });
    expect(await expectRevert(() => submit(report(6n), members.slice(0, 11)))).toEqual({
      name: 'ExitedValidatorsDecreased',
      args: [0n, 1n],
    });
  });

  it('keeps deposits in transit in the pool until a report credits them', async () => {
    const client = chain.client();
    const { system, members, drawId } = chain.context();
    const pooled = await div('totalPooledEther');
    await approveAndFund(client, system, drawId, parseEther('1'));
    expect(await div('totalPooledEther')).toBe(pooled);
    expect(await div('depositedEther')).toBe(parseEther('1'));
    // The beacon chain credited the 1 ETH deposit: no change in pooled ETH.
    await submit(
      report(1n, { clBalance: parseEther('1'), clDepositedEther: parseEther('1') }),
      members.slice(0, 11),
    );
    expect(await div('totalPooledEther')).toBe(pooled);
    // Claiming more credited deposits than were sent is refused.
    const error = await expectRevert(() =>
      submit(
        report(2n, { clBalance: parseEther('1'), clDepositedEther: parseEther('2') }),
        members.slice(0, 11),
      ),
    );
    expect(error).toEqual({
      name: 'InvalidReport',
      args: [parseEther('2'), parseEther('1'), parseEther('1')],
    });
  });

  it('bounds the change of pooled ETH per report both ways', async () => {
    const client = chain.client();
    const { system, members, drawId } = chain.context();
    await approveAndFund(client, system, drawId, parseEther('32'));
    const pooled = await div('totalPooledEther');
    const up = (pooled * 100n) / 10_000n;
    const tooHigh = await expectRevert(() =>
      submit(
        report(1n, { clBalance: parseEther('32') + up + 1n, clDepositedEther: parseEther('32') }),
        members.slice(0, 11),
      ),
    );
    expect(tooHigh).toEqual({ name: 'ChangeOutOfBounds', args: [pooled, pooled + up + 1n, up] });
    const down = (pooled * 500n) / 10_000n;
    const tooLow = await expectRevert(() =>
      submit(
        report(1n, { clBalance: parseEther('32') - down - 1n, clDepositedEther: parseEther('32') }),
        members.slice(0, 11),
      ),
    );
    expect(tooLow.name).toBe('ChangeOutOfBounds');
    await submit(
      report(1n, { clBalance: parseEther('32') + up, clDepositedEther: parseEther('32') }),
      members.slice(0, 11),
    );
    expect(await div('totalPooledEther')).toBe(pooled + up);
  });

  it('counts stated withdrawals only up to the bound per report, so a large one cannot block reporting', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const pooled = await div('totalPooledEther');
    const withdrawn = pooled / 10n; // 10%, ten times the bound
    await client.setBalance({
      address: system.divETH,
      value: (await client.getBalance({ address: system.divETH })) + withdrawn,
    });
    const limit = (pooled * 100n) / 10_000n;
    await submit(report(1n, { withdrawnEther: withdrawn }), members.slice(0, 11));
    expect((await div('totalPooledEther')) - pooled).toBe(limit);
    const after1 = await div('totalPooledEther');
    await submit(report(2n, { withdrawnEther: withdrawn }), members.slice(0, 11));
    expect((await div('totalPooledEther')) - after1).toBe((after1 * 100n) / 10_000n);
    // What is not counted yet stays outside the buffer, and counts at later reports.
    expect((await client.getBalance({ address: system.divETH })) - (await div('bufferedEther'))).toBe(
      withdrawn - limit - (after1 * 100n) / 10_000n,
    );
    expect(await div('countedWithdrawals')).toBe(limit + (after1 * 100n) / 10_000n);
  });

  it('gives operators 10% of rewards per seat, claimable in divETH', async () => {
    const client = chain.client();
    const { system, members, drawId } = chain.context();
    await approveAndFund(client, system, drawId, parseEther('32'));
    const pooled = await div('totalPooledEther');
    const reward = parseEther('1');
    expect(reward).toBeLessThanOrEqual((pooled * 100n) / 10_000n);
    await submit(
      report(1n, { clBalance: parseEther('32') + reward, clDepositedEther: parseEther('32') }),
      members.slice(0, 11),
    );
    const member = members[0]!;
    const pending = (await client.readContract({
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'pendingRewards',
      args: [member.address],
    })) as bigint;
    // 16 seats share 0.1 ETH: 0.00625 ETH each (in shares, valued at the new rate), within rounding.
    const value = (await div('getPooledEthByShares', [pending])) as bigint;
    expect(value).toBeLessThanOrEqual(parseEther('0.00625'));
    expect(parseEther('0.00625') - value).toBeLessThanOrEqual(2n);
    const sharesBefore = await div('sharesOf', [member.address]);
    await tx(client, {
      account: member,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'claimRewards',
    });
    expect((await div('sharesOf', [member.address])) - sharesBefore).toBe(pending);
    expect(
      await expectRevert(() =>
        tx(client, {
          account: member,
          address: system.operatorRegistry,
          abi: operatorRegistryAbi,
          functionName: 'claimRewards',
        }),
      ),
    ).toEqual({ name: 'ZeroAmount', args: [member.address] });
  });

  it('takes penalties from collateral and ejects an operator left under-collateralized', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const [light, heavy] = [members[0]!, members[1]!];
    const pooled = await div('totalPooledEther');
    await submit(
      report(1n, {
        penalties: [
          { operator: light.address, amount: parseEther('0.5') },
          { operator: heavy.address, amount: parseEther('1.5') },
        ],
      }),
      members.slice(0, 11),
    );
    const view = (address: `0x${string}`) =>
      client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'operatorOf',
        args: [address],
      });
    expect((await view(light.address)).ejected).toBe(false);
    expect((await view(heavy.address)).ejected).toBe(true);
    // Burned collateral stays in the pool: stakers gain, pooled ETH is unchanged.
    expect(await div('totalPooledEther')).toBe(pooled);
    const logs = await client.getContractEvents({
      address: system.accounting,
      abi: accountingAbi,
      eventName: 'PenaltyApplied',
    });
    // Shares are rounded up when taken, so at most 1 wei more than asked (never less).
    const taken = logs.map((l) => l.args.taken! - l.args.requested!);
    for (const extra of taken) expect([0n, 1n]).toContain(extra);
    expect(
      await client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'activeOperatorCount',
      }),
    ).toBe(15n);
  });
});
