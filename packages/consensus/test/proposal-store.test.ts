// Issue 14, item 4: an honest leader's restart must never be "equivocation". A round-1 leader that
// crashes right after proposing A, behind a brief partition (half the committee got A), restarts and
// builds a new candidate B: without persisted proposals it proposes B in the same round, nothing
// decides and every honest member holds evidence against it. With `persistProposals` it re-sends A.
import { describe, expect, it } from 'vitest';
import {
  type ConsensusOutput,
  createRotationalInstance,
  leaderOrder,
  type ProposalStore,
  persistProposals,
  RotationalKind,
  rotationalProtocol,
} from '../src/index.ts';
import {
  createMemoryGuard,
  createMemoryProposalStore,
  createSimAuth,
  createSimScheme,
  type SimulationConfig,
  simulateInstance,
  simValueType,
} from '../src/sim/index.ts';

const restartScenario = (proposals: 'persisted' | 'forgotten'): SimulationConfig => ({
  protocol: rotationalProtocol,
  n: 16,
  t: 11,
  seed: 33,
  network: { latencyMs: 50, jitterMs: 10 },
  timeouts: { baseMs: 1000, growth: 1.5, maxMs: 8000 },
  horizonMs: 60_000,
  restartCandidate: 'other',
  proposals,
  faults: (leaders) => ({
    crashes: new Map([[leaders[0]!, { atMs: 5, restartMs: 150 }]]),
    partitions: [
      { startMs: 0, endMs: 120, groups: [[leaders[0]!, ...leaders.slice(1, 8)], leaders.slice(8)] },
    ],
  }),
});

describe('a round-1 leader that crashes after proposing and restarts with another candidate', () => {
  it('is accused and nothing decides when proposals are forgotten (the hazard)', () => {
    for (let i = 0; i < 8; i++) {
      const r = simulateInstance({ ...restartScenario('forgotten'), horizonMs: 20_000 }, i);
      expect(r.accused.length, `instance ${i}`).toBe(1);
      expect(r.firstDecisionMs).toBeUndefined();
    }
  });

  it('re-sends its recorded proposal: every instance decides and nobody is accused', () => {
    for (let i = 0; i < 20; i++) {
      const r = simulateInstance(restartScenario('persisted'), i);
      expect(r.accused, `instance ${i}`).toEqual([]);
      expect(r.allDecidedMs, `instance ${i}`).toBeDefined();
      expect(r.agreement).toBe(true);
    }
  });
});

describe('persistProposals', () => {
  const n = 4;
  const t = 3;
  const instance = new Uint8Array(32).fill(7);
  const leaderSeed = new Uint8Array(32).fill(1);
  const leader = leaderOrder(n, instance, leaderSeed)[0]!;
  const guard = createMemoryGuard<Uint8Array>();
  const make = (store: ProposalStore) =>
    persistProposals(
      createRotationalInstance({
        n,
        t,
        self: leader,
        instance,
        leaderSeed,
        valueType: simValueType,
        scheme: createSimScheme(n, t, 1, leader),
        auth: createSimAuth(n, 1, leader),
        guard,
      }),
      { instance, valueType: simValueType, store },
    );
  const proposalsIn = (out: ConsensusOutput<Uint8Array, unknown>) =>
    out.messages.filter((m) => m.bytes[2] === RotationalKind.Proposal).map((m) => m.bytes[49 + 31]);

  it('holds the output until an asynchronous store has recorded the proposal', async () => {
    const memory = createMemoryProposalStore();
    let release: () => void = () => {};
    const slow: ProposalStore = {
      record: (request) =>
        new Promise((resolve) => (release = () => resolve(memory.record(request) as Uint8Array))),
      recorded: () => Promise.resolve([]),
    };
    const started = make(slow).start(new Uint8Array(32).fill(0xa));
    expect(started.messages).toEqual([]);
    const afterRecall = await started.pending!;
    expect(afterRecall.messages).toEqual([]);
    release();
    const sent = await afterRecall.pending!;
    expect(proposalsIn(sent)).toEqual([0xa]);
  });

  it('after a restart proposes the recorded value, not its new candidate, and re-sends it', () => {
    const store = createMemoryProposalStore();
    expect(proposalsIn(make(store).start(new Uint8Array(32).fill(0xa)))).toEqual([0xa]);
    // Restart: a new instance object with the same store and a new candidate.
    expect(proposalsIn(make(store).start(new Uint8Array(32).fill(0xb)))).toEqual([0xa]);
  });
});
