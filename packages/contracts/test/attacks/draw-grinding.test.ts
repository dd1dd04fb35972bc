// Attack 4 (issue 15): draw grinding. The seed is public once the target block is mined, but the
// selection used to run on the registry as it was at finalisation: anyone could register operators or
// move collateral after seeing the seed, simulate, and finalise in a favourable state. Now a draw
// selects with the weights recorded at the end of the block before its target block, so changes made
// once the seed is known do not move the committee.
import { parseEther } from 'viem';
import { describe, expect, it } from 'vitest';
import { committeeDrawAbi } from '../../src/generated/index.ts';
import { useAnvil } from '../helpers/anvil.ts';
import {
  addOperator,
  addOperators,
  committeeOf,
  deploySystem,
  finalizeDraw,
  stake,
  testAccount,
  tx,
} from '../helpers/system.ts';

describe('attack: changing the registry after the seed is known', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const staker = testAccount('staker');
      await client.setBalance({ address: staker.address, value: parseEther('1000') });
      await stake(client, system, staker, parseEther('32'));
      await addOperators(client, system, Array(20).fill(2n), 'honest');
      return { system };
    },
  });

  it('operators registered after the target block win no seat, and the committee is the same', async () => {
    const client = chain.client();
    const { system } = chain.context();
    await tx(client, { address: system.committeeDraw, abi: committeeDrawAbi, functionName: 'requestDraw' });
    const draw = await client.readContract({
      address: system.committeeDraw,
      abi: committeeDrawAbi,
      functionName: 'getDraw',
      args: [1n],
    });
    await client.mine({ blocks: Number(draw.targetBlock - (await client.getBlockNumber())) + 1 });
    // The seed is known now. What the committee would be if no one touched the registry:
    const snapshot = await client.snapshot();
    await finalizeDraw(client, system, 1n);
    const untouched = await committeeOf(client, system, 1n);
    await client.revert({ id: snapshot });

    // The attacker registers 8 operators with 20 divETH each (160 seats of capacity against 40), then
    // finalises.
    const attackers = Array.from({ length: 8 }, (_, i) => testAccount(`grinder-${i}`));
    for (const account of attackers) await addOperator(client, system, account, 20n);
    await finalizeDraw(client, system, 1n);
    const committee = await committeeOf(client, system, 1n);
    const attackerSeats = committee.filter((m) => attackers.some((a) => a.address === m)).length;
    // The attacker's gain: seats won by changing the registry after the seed.
    expect(attackerSeats).toBe(0);
    expect(committee).toEqual(untouched);
  });
});
