// Issue 14, item 7: proven equivocators are taken out of the leader order. The runtime feeds the
// list (evidence recorded on chain as of a finalized checkpoint, so every member uses the same one);
// the consensus package takes it as `excludedLeaders`. Before that, members holding fresh evidence
// abstain from that leader's proposals (`abstainFrom`): its rounds pass on timeout.
import { describe, expect, it } from 'vitest';
import { leaderOrder, qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { type SimulationConfig, simulateInstance } from '../src/sim/index.ts';

const equivocators = [3, 9];

describe('excluded leaders', () => {
  it('are left out of the rotational leader order, the rest keeping their relative order', () => {
    const instance = new Uint8Array(32).fill(4);
    const seed = new Uint8Array(32).fill(2);
    const full = leaderOrder(16, instance, seed);
    expect(leaderOrder(16, instance, seed, equivocators)).toEqual(
      full.filter((m) => !equivocators.includes(m)),
    );
    // Excluding everyone excludes no one.
    expect(leaderOrder(4, instance, seed, [1, 2, 3, 4])).toEqual(leaderOrder(4, instance, seed));
  });

  it.each([
    ['rotational', rotationalProtocol],
    ['qbft', qbftProtocol],
  ] as const)(
    'cost %s no duty when they equivocate whenever they lead, excluded or abstained from',
    (name, protocol) => {
      const config = (
        excludedLeaders: readonly number[],
        abstainFrom?: readonly number[],
      ): SimulationConfig => ({
        protocol,
        n: 16,
        t: 11,
        seed: 17,
        network: { latencyMs: 50, jitterMs: 10 },
        timeouts: { baseMs: 1000, growth: 1.5, maxMs: 8000 },
        horizonMs: 30_000,
        excludedLeaders,
        ...(abstainFrom ? { abstainFrom } : {}),
        faults: { byzantine: new Map(equivocators.map((m) => [m, 'equivocating-leader' as const])) },
      });
      let failedBefore = 0;
      for (let i = 0; i < 48; i++) {
        if (simulateInstance(config([]), i).firstDecisionMs === undefined) failedBefore++;
        for (const r of [
          simulateInstance(config(equivocators), i),
          simulateInstance(config([], equivocators), i),
        ]) {
          expect(r.firstDecisionMs, `instance ${i}`).toBeDefined();
          expect(r.agreement).toBe(true);
        }
      }
      // Without exclusion the rotational protocol loses the duties they lead in round 1.
      if (name === 'rotational') expect(failedBefore).toBeGreaterThan(0);
    },
  );
});
