// Systematic exploration of one rotational instance, n = 4, t = 3, f = 1, through two rounds: every
// enabled delivery and round-1 timeout from every distinct state, in a seeded random depth-first
// order, states merged by the members' own descriptions (helpers/explorer.ts; the contract behind
// the merging is tested in describe.test.ts).
//
// With DIVA_EXPLORE=complete every scenario is explored to the end (about 14 minutes on one core)
// and the run writes test/exploration-record.json: the distinct and terminal state counts and a
// digest of the sources explored (helpers/exploration-record.ts). When the sources are those of the
// record, the counts must equal the recorded ones. Without it (CI, local runs) the record must
// match today's sources — whoever changes the state machines reruns the complete exploration and
// commits the new record — and each scenario is explored up to 25,000 distinct states. Also: the
// same exploration finds the disagreement a member that may sign twice allows.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ExplorationRecord,
  exploredSources,
  readRecord,
  type ScenarioRecord,
  sourcesDigest,
  staleRecordMessage,
  writeRecord,
} from './helpers/exploration-record.ts';
import { EXPLORATION_SCENARIOS, explore } from './helpers/explorer.ts';

const complete = process.env.DIVA_EXPLORE === 'complete';
const bound = complete ? {} : { maxStates: 25_000 };
const timeout = complete ? 45 * 60_000 : 120_000;
const files = exploredSources();
const digest = sourcesDigest(files);
const record = readRecord();

describe(`exploration of every delivery order (n = 4, t = 3, two rounds${complete ? ', complete' : ', bounded'})`, () => {
  if (!complete) {
    it("has a record of the complete exploration of today's state-machine sources", () => {
      if (record?.sources !== digest) expect.fail(staleRecordMessage(record, digest));
      expect(record.scenarios.map((s) => s.name)).toEqual(EXPLORATION_SCENARIOS.map((s) => s.name));
    });
  }

  const results = new Map<string, ScenarioRecord>();
  if (complete) {
    afterAll(() => {
      if (results.size !== EXPLORATION_SCENARIOS.length) return; // a scenario failed: keep the record
      const next: ExplorationRecord = {
        sources: digest,
        files,
        scenarios: EXPLORATION_SCENARIOS.map((s) => results.get(s.name)!),
      };
      writeRecord(next);
    });
  }

  it.each(EXPLORATION_SCENARIOS.map((s) => [s.name, s.options] as const))(
    'finds no disagreement (%s)',
    (name, options) => {
      const start = performance.now();
      const r = explore({ ...options, ...bound });
      expect(r.unsoundMerges).toBe(0);
      expect(r.violations).toBe(0);
      if (!complete) {
        // (Since the justification of round 2 the honest space is deeper: 74 terminals in 25,000 states.)
        expect(r.terminal).toBeGreaterThan(options.byzantineLeader ? 0 : 50);
        return;
      }
      // Same sources, same space: the counts of the record (a smaller count means a part was missed).
      const recorded = record?.sources === digest ? record.scenarios.find((s) => s.name === name) : undefined;
      if (recorded) expect([r.states, r.terminal]).toEqual([recorded.states, recorded.terminal]);
      const seconds = Math.round((performance.now() - start) / 1000);
      results.set(name, {
        name,
        states: r.states,
        terminal: r.terminal,
        decidedTerminal: r.decidedTerminal,
        seconds,
      });
    },
    timeout,
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
