// Attack 11 (issue 15): an ejected operator kept earning its share of the 10% fee on the seats it still
// held until replaced. Now its rewards are settled at ejection and stop there; the fee goes to the seats
// of operators that are not ejected.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { operatorRegistryAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import { deploySystem, ROLES, setupFundedCommittee, submitReport, tx } from '../helpers/system.ts';

describe('attack: earning on seats after ejection', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const { members } = await setupFundedCommittee(client, system);
      return { system, members };
    },
  });

  it('an ejected operator earns nothing from a later reward report', async () => {
    const client = chain.client();
    const { system, members } = chain.context();
    const [ejected, ...rest] = members;
    await tx(client, {
      account: ROLES.evidence,
      address: system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'eject',
      args: [ejected!.address],
    });
    const pending = async () =>
      (await client.readContract({
        address: system.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'pendingRewards',
        args: [ejected!.address],
      })) as bigint;
    const before = await pending();
    await submitReport(
      client,
      system,
      {
        epoch: 1n,
        clBalance: parseEther('32.3'),
        clDepositedEther: parseEther('32'),
        exitedValidators: 0n,
        penalties: [],
      },
      rest,
    );
    // The gain: fee shares credited to the ejected operator's seat after its ejection.
    expect((await pending()) - before).toBe(0n);
  });
});
