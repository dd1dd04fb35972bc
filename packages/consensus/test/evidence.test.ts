// Evidence objects verify; honest members never produce any against honest members.
import { describe, expect, it } from 'vitest';
import { rotationalProtocol, verifyEvidence } from '../src/index.ts';
import {
  type ByzantineStrategy,
  createSimAuth,
  type SimulationConfig,
  simulateInstance,
  simValueType,
} from '../src/sim/index.ts';
import { randomScenario } from './helpers/scenarios.ts';

describe('evidence', () => {
  it('names the Byzantine members of split-brain scenarios and never an honest one', () => {
    let named = 0;
    for (let i = 0; i < 120; i++) {
      const config = randomScenario(rotationalProtocol, i);
      let byzantine: number[] = [];
      const faults = config.faults as Exclude<SimulationConfig['faults'], undefined>;
      const r = simulateInstance(
        {
          ...config,
          faults: (leaders, protocolLeaders) => {
            const f = typeof faults === 'function' ? faults(leaders, protocolLeaders) : faults;
            byzantine = [...(f.byzantine?.keys() ?? [])];
            return f;
          },
        },
        i,
      );
      for (const m of r.accused) expect(byzantine, `scenario ${i}`).toContain(m);
      named += r.accused.length;
    }
    expect(named).toBeGreaterThan(0);
  });

  it('produces self-verifying evidence of an equivocating leader and of double-signed partials', () => {
    // Collect evidence events by running one split-brain scenario member by member.
    const events: { kind: string; member: number; messages: readonly [Uint8Array, Uint8Array] }[] = [];
    const strategies = new Map<number, ByzantineStrategy>([
      [1, 'equivocating-leader'],
      [2, 'double-vote'],
    ]);
    for (let i = 0; i < 30 && new Set(events.map((e) => e.kind)).size < 2; i++) {
      const r = simulateInstance(
        {
          protocol: rotationalProtocol,
          n: 16,
          t: 11,
          seed: 3,
          network: { latencyMs: 50, jitterMs: 10 },
          faults: (leaders) => ({
            byzantine: new Map([[leaders[0]!, 'equivocating-leader' as const], ...strategies]),
          }),
          timeouts: { baseMs: 400, growth: 1.5, maxMs: 4000 },
          onEvidence: (e) => events.push(e),
        } as SimulationConfig,
        i,
      );
      expect(r.agreement).toBe(true);
    }
    expect(new Set(events.map((e) => e.kind))).toEqual(
      new Set(['equivocating-leader', 'double-signed-partial']),
    );
    for (const e of events) {
      const auth = createSimAuth(16, 3, e.member);
      expect(verifyEvidence(e as never, auth, simValueType.signingRoot)).toBe(true);
      // Tampering with the pair breaks it.
      expect(
        verifyEvidence(
          { ...e, messages: [e.messages[0], e.messages[0]] } as never,
          auth,
          simValueType.signingRoot,
        ),
      ).toBe(false);
    }
  });
});
