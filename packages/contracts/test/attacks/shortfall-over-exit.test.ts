// Attack 7 (issue 15): shortfall exits over-exit. In-flight shortfall exits were counted as
// `shortfallExits - exitedValidators`, but `exitedValidators` counts every exit: after earlier exits,
// anyone could force an exit of every active validator for a shortfall one exit covers. Now the exits
// counted against a shortfall are only those completed since the first exit of the current batch.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { divETHAbi, errorsAbi, withdrawalQueueAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import {
  addOperators,
  approveAndFund,
  deploySystem,
  drawCommittee,
  stake,
  submitReport,
  testAccount,
  tx,
} from '../helpers/system.ts';

describe('attack: forcing exits for a shortfall one exit covers', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('200'));
      const operators = await addOperators(client, system, Array(20).fill(4n));
      const drawIds: bigint[] = [];
      for (let i = 0; i < 4; i++) {
        const drawId = await drawCommittee(client, system);
        await approveAndFund(client, system, drawId);
        drawIds.push(drawId);
      }
      return { system, staker, operators, drawIds };
    },
  });

  it('one shortfall exit is allowed, not four', async () => {
    const client = chain.client();
    const { system, staker, operators, drawIds } = chain.context();
    // Three validators exited earlier (reported), none of them for a shortfall.
    await submitReport(
      client,
      system,
      {
        epoch: 1n,
        clBalance: parseEther('128'),
        clDepositedEther: parseEther('128'),
        exitedValidators: 3n,
        penalties: [],
      },
      operators,
    );
    // A withdrawal the buffer can't pay: less than one validator (32 ETH) is missing.
    const available = (await client.readContract({
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'availableForWithdrawals',
    })) as bigint;
    const amount = available + parseEther('20');
    await tx(client, {
      account: staker,
      address: system.divETH,
      abi: divETHAbi,
      functionName: 'approve',
      args: [system.withdrawalQueue, amount],
    });
    await tx(client, {
      account: staker,
      address: system.withdrawalQueue,
      abi: withdrawalQueueAbi,
      functionName: 'requestWithdrawal',
      args: [amount],
    });
    const attacker = testAccount('attacker');
    await client.setBalance({ address: attacker.address, value: parseEther('1') });
    let forced = 0;
    for (const drawId of drawIds) {
      const call = {
        account: attacker,
        address: system.withdrawalQueue,
        abi: [...withdrawalQueueAbi, ...errorsAbi],
        functionName: 'requestShortfallExit',
        args: [drawId],
      } as const;
      try {
        await client.simulateContract(call);
      } catch {
        continue;
      }
      await client.waitForTransactionReceipt({ hash: await client.writeContract({ chain: null, ...call }) });
      forced++;
    }
    // The damage: validators exited beyond what the shortfall needs.
    expect(forced).toBe(1);
  });
});
