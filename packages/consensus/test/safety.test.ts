// Safety under random faults (a seeded subset runs here; `node bench/safety.ts` runs 100,000): no two
// honest members decide different values and every decided signature verifies, with up to 5
// Byzantine members of random strategies, loss, jitter, crashes and restarts. The same scenarios
// with a broken sign guard (honest members may sign twice) must produce violations: the test can fail.
import { describe, expect, it } from 'vitest';
import { qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';
import { randomScenario } from './helpers/scenarios.ts';

const COUNT = { rotational: 240, qbft: 40 };

describe.each([
  ['rotational', rotationalProtocol, COUNT.rotational],
  ['qbft', qbftProtocol, COUNT.qbft],
] as const)('%s safety over %i random scenarios', (_name, protocol, count) => {
  it('has no agreement violation and only valid decided signatures', () => {
    let decided = 0;
    for (let i = 0; i < count; i++) {
      const r = simulateInstance(randomScenario(protocol, i), i);
      expect(r.agreement, `scenario ${i}`).toBe(true);
      expect(r.signaturesValid, `scenario ${i}`).toBe(true);
      if (r.firstDecisionMs !== undefined) decided++;
    }
    // The scenarios are hard (split-brain attacks, 10% loss) but most still decide.
    expect(decided).toBeGreaterThan(count * 0.7);
  });
});

describe('the same test with a broken sign guard', () => {
  it('finds agreement violations when honest members may sign twice', () => {
    let violations = 0;
    for (let i = 0; i < COUNT.rotational; i++) {
      const r = simulateInstance(randomScenario(rotationalProtocol, i, 'broken'), i);
      if (!r.agreement) violations++;
    }
    expect(violations).toBeGreaterThan(0);
  });
});
