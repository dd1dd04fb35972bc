// Exploration of one rotational instance with n = 4, t = 3, f = 1 through two rounds.
//
// A state is, per honest member, the history of what it processed: messages and its round-1
// timeout. Events at different members commute, so the explorer identifies states by these
// histories (not by global interleavings). Histories of one member are merged when its instance
// describes the same state (`ConsensusInstance.describe()`: everything that decides its future
// outputs) and it sent the same messages; a decided member is identified by its decision and the
// messages it sent (it takes no further input). Every merge is checked against the members'
// observable state (decision, round, messages sent), and test/describe.test.ts checks the contract
// behind it: histories with one description answer every continuation alike. Every enabled event
// (a message some other member sent or the Byzantine leader can inject, not yet processed, that
// changes the state; or the round-1 timeout) is explored from every distinct state, in a seeded
// random order; `maxStates` bounds a run.
//
// Not done here: a partial-order reduction that explores one member's events per state. It is
// unsound for this model, because a member takes messages in any order from a pool that other
// members' steps keep filling (a receive of a message not yet sent conflicts with the receives
// explored now); a cross-check against the unreduced search caught it losing disagreements.

import { createHash } from 'node:crypto';
// Imports name the modules the exploration runs (not the entry points): the exploration record's
// digest covers exactly those (helpers/exploration-record.ts).
import { attachSignature, encodeUnsigned, lengthPrefixed, writeFields } from '../../src/codec.ts';
import { leaderOrder } from '../../src/leader.ts';
import { createRotationalInstance, ROTATIONAL_PROTOCOL, RotationalKind } from '../../src/rotational.ts';
import { brokenGuard, createMemoryGuard } from '../../src/sim/guard.ts';
import { createRng } from '../../src/sim/random.ts';
import { createSimAuth, createSimScheme, type SimSignature, simValueType } from '../../src/sim/scheme.ts';
import type { ConsensusInstance } from '../../src/types.ts';

const n = 4;
const t = 3;

export interface ExplorationResult {
  readonly states: number;
  readonly terminal: number;
  readonly violations: number;
  readonly unsoundMerges: number;
  readonly decidedTerminal: number;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (b: Uint8Array) => {
  let s = '';
  for (const x of b) s += HEX[x];
  return s;
};

export interface ModelOptions {
  /** Round-1 leader is Byzantine: the value each honest member gets from it ('A' | 'B' | none). */
  readonly byzantineLeader?: readonly ('A' | 'B' | undefined)[];
  /** 'broken' lets honest members sign twice (to show the exploration can find a violation). */
  readonly guard?: 'durable' | 'broken';
}

export interface Replayed {
  readonly inst: ConsensusInstance<Uint8Array, SimSignature>;
  /** Ids of the messages the member sent. */
  readonly sent: string[];
}

/**
 * The instance being explored: which members are honest, what the Byzantine leader can inject into
 * each, and `replay(m, history)`, which rebuilds member m from its history of events (message ids
 * and 'T' for its round-1 timeout).
 */
export function explorationModel(options: ModelOptions) {
  const instance = new Uint8Array(32).fill(3);
  const leaderSeed = new Uint8Array(32).fill(4);
  const order = leaderOrder(n, instance, leaderSeed);
  const byz = options.byzantineLeader ? order[0]! : undefined;
  const honest = [1, 2, 3, 4].filter((m) => m !== byz);
  const valueA = new Uint8Array(32).fill(0xa);
  const valueB = new Uint8Array(32).fill(0xb);
  const candidate = (m: number) => (m % 2 === 1 ? valueA : valueB);
  const messages = new Map<string, Uint8Array>();
  const id = (b: Uint8Array) => {
    const k = hex(b.subarray(b.length - 16));
    messages.set(k, b);
    return k;
  };

  // What the Byzantine leader can deliver at any time: its proposals and double votes.
  const injected = new Map<number, string[]>(honest.map((m) => [m, []]));
  if (byz !== undefined) {
    const forge = (kind: number, round: number, body: Uint8Array) => {
      const signed = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, byz, body);
      return attachSignature(signed, createSimAuth(n, 1, byz).sign(signed));
    };
    const scheme = createSimScheme(n, t, 1, byz);
    const votes = [valueA, valueB].map((v) => {
      const root = simValueType.signingRoot(v);
      return id(
        forge(
          RotationalKind.Vote,
          1,
          writeFields(root, lengthPrefixed(scheme.encodePartial(scheme.signPartial(root)))),
        ),
      );
    });
    // Its round change for round 2 claims B with its partial, pulling the next leader towards B.
    const rootB = simValueType.signingRoot(valueB);
    const partialB = scheme.encodePartial(scheme.signPartial(rootB));
    const rcBody = new Uint8Array([
      1,
      ...lengthPrefixed(valueB),
      ...lengthPrefixed(partialB),
      ...lengthPrefixed(new Uint8Array(0)),
    ]);
    const roundChange = id(forge(RotationalKind.RoundChange, 2, rcBody));
    honest.forEach((m, k) => {
      const pick = options.byzantineLeader![k];
      const list = injected.get(m)!;
      if (pick)
        list.push(id(forge(RotationalKind.Proposal, 1, lengthPrefixed(pick === 'A' ? valueA : valueB))));
      list.push(...votes, roundChange);
    });
  }

  const cache = new Map<string, Replayed>();
  const replay = (m: number, hist: readonly string[]): Replayed => {
    const key = `${m}|${hist.join(',')}`;
    const known = cache.get(key);
    if (known) return known;
    const inst = createRotationalInstance({
      n,
      t,
      self: m,
      instance,
      leaderSeed,
      valueType: simValueType,
      scheme: createSimScheme(n, t, 1, m),
      auth: createSimAuth(n, 1, m),
      guard: options.guard === 'broken' ? brokenGuard : createMemoryGuard(),
      timeouts: { baseMs: 1, growth: 1, maxMs: 1 },
    });
    const sent: string[] = [];
    const record = (out: { messages: readonly { bytes: Uint8Array }[] }) => {
      for (const x of out.messages) sent.push(id(x.bytes));
    };
    record(inst.start(candidate(m)));
    for (const e of hist) {
      record(e === 'T' ? inst.timeout(1) : inst.handle(messages.get(e)!));
    }
    const r = { inst, sent };
    if (cache.size > 20_000) cache.clear(); // the explorer keeps its own compact memo
    cache.set(key, r);
    return r;
  };

  return { honest, injected, replay, messages };
}

export function explore(
  options: ModelOptions & {
    readonly maxStates?: number;
    /** Order in which successors are explored (every one is, unless `maxStates` stops the run). */
    readonly seed?: number;
    /** Called every 10,000 distinct states (long runs show progress). */
    readonly onProgress?: (states: number, pending: number) => void;
    /** End the run at the first disagreement (for showing that the exploration can find one). */
    readonly stopAtViolation?: boolean;
  },
): ExplorationResult {
  const { honest, injected, replay } = explorationModel(options);

  // A member's state is what its instance describes (everything that decides its future outputs,
  // see ConsensusInstance.describe) plus the messages it sent; a decided member takes no further
  // input, so only its decision and what it sent matter. Kept per history, without the instance.
  interface MemberState {
    readonly key: string;
    readonly summary: string;
    readonly sent: readonly string[];
    readonly decided: string | undefined;
    readonly round: number;
  }
  const memo = new Map<string, MemberState>();
  // States are kept as 128-bit digests of their descriptions (a run holds millions of them).
  const digest = (text: string) => createHash('sha256').update(text).digest('base64').slice(0, 22);
  const stateOf = (m: number, hist: readonly string[]): MemberState => {
    const id = `${m}|${hist.join(',')}`;
    const known = memo.get(id);
    if (known) return known;
    const { inst, sent } = replay(m, hist);
    const d = inst.decision();
    const sentKey = [...sent].sort().join(',');
    const decided = d ? hex(d.root) : undefined;
    const state = {
      key: digest(decided ? `D:${decided}:${sentKey}` : `${inst.describe()}|${sentKey}`),
      summary: digest(`${decided ?? '-'}:${inst.round()}:${sentKey}`),
      sent,
      decided,
      round: inst.round(),
    };
    memo.set(id, state);
    return state;
  };

  const rng = createRng(options.seed ?? 1);
  const visited = new Map<string, string>();
  let states = 0;
  let terminal = 0;
  let violations = 0;
  let unsoundMerges = 0;
  let decidedTerminal = 0;
  const stack: (readonly string[])[][] = [honest.map(() => [])];
  while (stack.length > 0) {
    const hists = stack.pop()!;
    const members = hists.map((h, i) => stateOf(honest[i]!, h));
    const key = members.map((x) => x.key).join('#');
    const sum = members.map((x) => x.summary).join('#');
    const seen = visited.get(key);
    if (seen !== undefined) {
      if (seen !== sum) unsoundMerges++;
      continue;
    }
    visited.set(key, sum);
    states++;
    if (states % 10_000 === 0) options.onProgress?.(states, stack.length);
    if (options.maxStates && states > options.maxStates) break;
    const decided = members.flatMap((x) => (x.decided ? [x.decided] : []));
    if (new Set(decided).size > 1) {
      violations++;
      if (options.stopAtViolation) break;
    }
    const successors: (readonly string[])[][] = [];
    honest.forEach((m, i) => {
      const me = members[i]!;
      if (me.decided) return;
      const hist = hists[i]!;
      const delivered = new Set(hist);
      const pool = new Set([
        ...(injected.get(m) ?? []),
        ...members.flatMap((x, j) => (j === i ? [] : x.sent)),
      ]);
      const events = [...pool].filter((msg) => !delivered.has(msg));
      if (me.round === 1 && !delivered.has('T')) events.push('T');
      for (const e of events) {
        const next = [...hist, e];
        // An event that leaves the state as it was (a message already absorbed) is a self-loop.
        if (stateOf(m, next).key === me.key) continue;
        successors.push(hists.map((h, j) => (j === i ? next : h)));
      }
    });
    const enabled = successors.length;
    // Seeded shuffle: a bounded run then samples the whole space instead of one corner of it.
    for (let k = successors.length - 1; k > 0; k--) {
      const j = rng.int(k + 1);
      [successors[k], successors[j]] = [successors[j]!, successors[k]!];
    }
    stack.push(...successors);
    if (enabled === 0) {
      terminal++;
      if (decided.length > 0) decidedTerminal++;
    }
  }
  return { states, terminal, violations, unsoundMerges, decidedTerminal };
}

/** The scenarios of the complete exploration (test/exploration.test.ts, bench/explore.ts). */
export const EXPLORATION_SCENARIOS: readonly { readonly name: string; readonly options: ModelOptions }[] = [
  { name: 'honest, split candidates', options: {} },
  { name: 'equivocating leader A,A,B', options: { byzantineLeader: ['A', 'A', 'B'] } },
  { name: 'equivocating leader A,B,-', options: { byzantineLeader: ['A', 'B', undefined] } },
];
