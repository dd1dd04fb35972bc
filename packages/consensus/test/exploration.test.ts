// Systematic exploration of one rotational instance, n = 4, t = 3, f = 1, through two rounds: every
// enabled delivery and round-1 timeout from every distinct state, in a seeded random depth-first
// order, states merged by the members' own descriptions (helpers/explorer.ts; the contract behind
// the merging is tested in describe.test.ts). The complete runs are a script (bench/explore.ts;
// results in docs/consensus.md); CI explores 25,000 distinct states per scenario, and shows that the
// same exploration finds the disagreement a member that may sign twice allows.
import { describe, expect, it } from 'vitest';
import { explore } from './helpers/explorer.ts';

describe('exploration of every delivery order (n = 4, t = 3, two rounds)', () => {
  it('finds no disagreement with all members honest and split candidates', () => {
    const r = explore({ maxStates: 25_000 });
    expect(r.states).toBeGreaterThan(3_000);
    expect(r.terminal).toBeGreaterThan(100);
    expect(r.unsoundMerges).toBe(0);
    expect(r.violations).toBe(0);
  });

  it.each([[['A', 'A', 'B']], [['A', 'B', undefined]]] as const)(
    'finds no disagreement when the round-1 leader equivocates (%j) and double-votes',
    (pattern) => {
      const r = explore({ byzantineLeader: pattern, maxStates: 25_000 });
      expect(r.unsoundMerges).toBe(0);
      expect(r.violations).toBe(0);
    },
  );

  it('finds the disagreement when honest members may sign twice (the test can fail)', () => {
    const r = explore({
      byzantineLeader: ['A', 'A', 'B'],
      guard: 'broken',
      seed: 4,
      stopAtViolation: true,
      maxStates: 100_000,
    });
    expect(r.violations).toBe(1);
  });
});
