// Exploration of one rotational instance with n = 4, t = 3, f = 1 through two rounds.
//
// A state is, per honest member, the history of what it processed: messages and its round-1
// timeout. Events at different members commute, so the explorer identifies states by these
// histories (not by global interleavings). Within one member it identifies histories that hold the
// same messages in the same rounds, keeping the order of round changes (a leader proposes on the
// first t of them) and nothing else (proposals, partials and decisions accumulate); a decided member
// is identified by its decision and the messages it sent (it takes no further input). Every time
// two histories are merged, the members' observable state (decision, round, messages sent) must be
// identical, or the exploration counts the merge as unsound. Every enabled event is explored from
// every distinct state, in a seeded random order; `maxStates` bounds a run.

import { lengthPrefixed } from '../../src/codec.ts';
import {
  attachSignature,
  type ConsensusInstance,
  encodeUnsigned,
  leaderOrder,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
  rotationalProtocol,
} from '../../src/index.ts';
import {
  brokenGuard,
  createMemoryGuard,
  createRng,
  createSimAuth,
  createSimScheme,
  type SimSignature,
  simValueType,
} from '../../src/sim/index.ts';

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

export function explore(options: {
  /** Round-1 leader is Byzantine: the value each honest member gets from it ('A' | 'B' | none). */
  readonly byzantineLeader?: readonly ('A' | 'B' | undefined)[];
  readonly maxStates?: number;
  /** 'broken' lets honest members sign twice (to show the exploration can find a violation). */
  readonly guard?: 'durable' | 'broken';
  /** Order in which successors are explored (every one is, unless `maxStates` stops the run). */
  readonly seed?: number;
}): ExplorationResult {
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
          rotationalProtocol.voteBody(root, v, scheme.encodePartial(scheme.signPartial(root))),
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

  interface Replayed {
    readonly inst: ConsensusInstance<Uint8Array, SimSignature>;
    readonly sent: string[];
    /** The member's round when it processed each event of its history. */
    readonly roundAt: number[];
  }
  const cache = new Map<string, Replayed>();
  const replay = (m: number, hist: readonly string[]): Replayed => {
    const key = `${m}|${hist.join(',')}`;
    const known = cache.get(key);
    if (known) return known;
    const inst = rotationalProtocol.create({
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
    const roundAt: number[] = [];
    for (const e of hist) {
      roundAt.push(inst.round());
      record(e === 'T' ? inst.timeout(1) : inst.handle(messages.get(e)!));
    }
    const r = { inst, sent, roundAt };
    cache.set(key, r);
    return r;
  };

  // Messages a member processed in the same round, in any order, lead to the same state (checked
  // below at every merge); a round boundary (timeout or catch-up) is kept.
  const canonical = (hists: ReadonlyMap<number, string[]>) =>
    honest
      .map((m) => {
        const hist = hists.get(m)!;
        const { roundAt, inst, sent } = replay(m, hist);
        // A decided member takes no further input: only its decision and what it sent matter.
        const d = inst.decision();
        if (d) return `D:${hex(d.root)}:${[...sent].sort().join(',')}`;
        // Within a round, messages accumulate in any order, except round changes: a leader proposes
        // on the first t of them, so their order is kept.
        const byRound = new Map<number, { set: string[]; ordered: string[] }>();
        for (const [k, e] of hist.entries()) {
          const r = roundAt[k]!;
          const g = byRound.get(r) ?? { set: [], ordered: [] };
          byRound.set(r, g);
          if (e !== 'T' && messages.get(e)![2] === RotationalKind.RoundChange) g.ordered.push(e);
          else g.set.push(e);
        }
        return [...byRound]
          .map(([r, g]) => `${r}:${g.set.sort().join('+')}/${g.ordered.join('>')}`)
          .join('|');
      })
      .join('#');
  const summary = (hists: ReadonlyMap<number, string[]>) =>
    honest
      .map((m) => {
        const r = replay(m, hists.get(m)!);
        const d = r.inst.decision();
        return `${d ? hex(d.root) : '-'}:${r.inst.round()}:${[...r.sent].sort().join(',')}`;
      })
      .join('#');

  const rng = createRng(options.seed ?? 1);
  const visited = new Map<string, string>();
  let states = 0;
  let terminal = 0;
  let violations = 0;
  let unsoundMerges = 0;
  let decidedTerminal = 0;
  const stack: Map<number, string[]>[] = [new Map(honest.map((m) => [m, []]))];
  while (stack.length > 0) {
    const hists = stack.pop()!;
    const key = canonical(hists);
    const sum = summary(hists);
    const seen = visited.get(key);
    if (seen !== undefined) {
      if (seen !== sum) unsoundMerges++;
      continue;
    }
    visited.set(key, sum);
    states++;
    if (options.maxStates && states > options.maxStates) break;
    const decided = honest
      .map((m) => replay(m, hists.get(m)!).inst.decision())
      .filter((d) => d !== undefined);
    if (new Set(decided.map((d) => hex(d.root))).size > 1) violations++;
    let enabled = 0;
    const successors: Map<number, string[]>[] = [];
    for (const m of honest) {
      const hist = hists.get(m)!;
      const me = replay(m, hist);
      if (me.inst.decision()) continue;
      const delivered = new Set(hist);
      const pool = [
        ...(injected.get(m) ?? []),
        ...honest.filter((o) => o !== m).flatMap((o) => replay(o, hists.get(o)!).sent),
      ];
      for (const msg of new Set(pool)) {
        if (delivered.has(msg)) continue;
        enabled++;
        successors.push(new Map([...hists].map(([k, v]) => [k, k === m ? [...v, msg] : v])));
      }
      if (me.inst.round() === 1 && !delivered.has('T')) {
        enabled++;
        successors.push(new Map([...hists].map(([k, v]) => [k, k === m ? [...v, 'T'] : v])));
      }
    }
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
