// Issue 14, item 8: members that decided keep helping those that did not. A member that restarts
// (or starts late) after the others decided must still decide: decided members answer its round
// change (rotational: with DECIDED; QBFT: with their partial signature, once per round).
import { describe, expect, it } from 'vitest';
import { qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';

describe.each([
  ['rotational', rotationalProtocol],
  ['qbft', qbftProtocol],
] as const)('%s', (_name, protocol) => {
  it('lets members that start after everyone else decided decide too', () => {
    for (let i = 0; i < 10; i++) {
      const late = [2, 7, 13];
      const r = simulateInstance(
        {
          protocol,
          n: 16,
          t: 11,
          seed: 21,
          network: { latencyMs: 50, jitterMs: 10 },
          timeouts: { baseMs: 500, growth: 1.5, maxMs: 5000 },
          horizonMs: 60_000,
          // Down from the start, up at 5 s: the others decided long before.
          faults: { crashes: new Map(late.map((m) => [m, { atMs: 0, restartMs: 5000 }])) },
        },
        i,
      );
      expect(r.firstDecisionMs, `instance ${i}`).toBeLessThan(5000);
      for (const m of late) expect(r.decisions[m - 1], `instance ${i}, member ${m}`).toBeDefined();
      expect(r.agreement).toBe(true);
    }
  });
});
