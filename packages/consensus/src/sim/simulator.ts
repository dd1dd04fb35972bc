/**
 * Deterministic discrete-event simulator: n members run one protocol instance per duty over a
 * modelled network (per-link latency with jitter, loss, partitions and heals, per-message
 * processing cost, clock skew), with crashes and restarts and Byzantine strategies. Same seed, same
 * run. Time is virtual: an honest 16-member duty (16 state machines, 495 messages of which about 190
 * are delivered before every member has decided) takes about 0.5 ms of one core with the stand-in
 * crypto, i.e. about 2,000 duties or 31,000 state machines per second (README, "Benchmark",
 * measures it; `bench/profile-sim.ts` profiles it).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { createMessageAllocator } from '../allocator.ts';
import { key, keyHex } from '../bytes.ts';
import { leaderOrder } from '../leader.ts';
import { persistProposals } from '../proposal-store.ts';
import type { ConsensusInstance, ConsensusOutput, PartialScheme, SignGuard } from '../types.ts';
import { createByzantineMembers } from './byzantine.ts';
import type { ByzantineStrategy, InstanceReport, SimulationConfig } from './config.ts';
import { type ForgingHooks, forgingHooks } from './forging.ts';
import { brokenGuard, createMemoryGuard } from './guard.ts';
import { createMemoryProposalStore } from './proposal-store.ts';
import { EventQueue } from './queue.ts';
import { createRng, type Rng } from './random.ts';
import { simValueType, standInCrypto } from './scheme.ts';

type Event =
  | { kind: 'start'; member: number }
  | { kind: 'timer'; member: number; round: number; epoch: number }
  | { kind: 'crash'; member: number }
  | { kind: 'restart'; member: number };

/** Message kinds a decided member of a protocol ignores unread, by kind byte. */
const ignoredKindTables = new WeakMap<ForgingHooks, readonly boolean[]>();
function ignoredKindsOf(hooks: ForgingHooks): readonly boolean[] {
  let table = ignoredKindTables.get(hooks);
  if (!table) {
    table = Array.from({ length: 256 }, (_, k) => hooks.ignoredOnceDecided?.(k) === true);
    ignoredKindTables.set(hooks, table);
  }
  return table;
}

/** Event queues of finished runs, reused (their arrays keep their capacity). */
const spareQueues: EventQueue<unknown>[] = [];

/** `bytes` with one more byte. */
function suffixed(bytes: Uint8Array, last: number): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  out[bytes.length] = last;
  return out;
}

export function simulateInstance(config: SimulationConfig, index: number): InstanceReport {
  const { n, t, protocol, network } = config;
  const hooks = forgingHooks(protocol);
  /** Message buffers of this simulation's members (they are one caller: one allocator). */
  const allocator = config.allocator ?? createMessageAllocator();
  const rng = createRng(config.seed * 1_000_003 + index);
  const instance = sha256(utf8ToBytes(`instance/${config.seed}/${index}`));
  const leaderSeed = rng.bytes(32);
  const faults =
    typeof config.faults === 'function'
      ? config.faults(leaderOrder(n, instance, leaderSeed), hooks.leaders(n, instance, leaderSeed))
      : (config.faults ?? {});
  const byzantine = faults.byzantine ?? new Map<number, ByzantineStrategy>();
  const crashes = faults.crashes ?? new Map<number, { atMs: number; restartMs?: number }>();
  const partitions = [...(network.partitions ?? []), ...(faults.partitions ?? [])];
  const horizon = config.horizonMs ?? 600_000;
  const valueA = sha256(suffixed(instance, 1));
  const valueB = sha256(suffixed(instance, 2));
  const members = Array.from({ length: n + 1 }, (_, j) => j);
  const guards: SignGuard<Uint8Array>[] = members.map(() =>
    config.guard === 'broken' ? brokenGuard : createMemoryGuard(),
  );
  const instances: (ConsensusInstance<Uint8Array, unknown> | undefined)[] = members.map(() => undefined);
  const epochs = members.map(() => 0);
  const busy = members.map(() => 0);
  const down = members.map(() => false);
  const decidedAt: (number | undefined)[] = members.map(() => undefined);
  const decisions: (string | undefined)[] = members.map(() => undefined);
  const maxRound = members.map(() => 1);
  /** Events, and deliveries as bytes tagged with the recipient. */
  const queue = (spareQueues.pop() ?? new EventQueue()) as EventQueue<Event | Uint8Array>;
  const standIns = standInCrypto(n, t, config.seed);
  const auths = standIns.auths;
  const schemes: readonly PartialScheme<unknown, unknown>[] = config.scheme
    ? members.map((j) => config.scheme!(Math.max(1, j)))
    : standIns.schemes;
  let messages = 0;
  let bytes = 0;
  let signaturesValid = true;
  const accused = new Set<number>();

  const candidate = (j: number) => {
    const first = config.candidates === 'split' && j % 2 === 0 ? valueB : valueA;
    if (config.restartCandidate !== 'other' || epochs[j]! <= 1) return first;
    return first === valueA ? valueB : valueA;
  };
  /** Honest members' proposal stores (they survive restarts), when proposals are persisted. */
  const proposalStores =
    config.proposals === 'persisted' ? members.map(() => createMemoryProposalStore()) : undefined;

  const create = (j: number) => {
    const inst = createInstance(j);
    if (proposalStores === undefined || byzantine.has(j)) return inst;
    return persistProposals(inst, { instance, valueType: simValueType, store: proposalStores[j]! });
  };
  const createInstance = (j: number) =>
    protocol.create({
      n,
      t,
      self: j,
      instance,
      leaderSeed,
      valueType: simValueType,
      scheme: schemes[j]!,
      auth: auths[j]!,
      guard: byzantine.has(j) ? brokenGuard : guards[j]!,
      allocator,
      ...(config.timeouts ? { timeouts: config.timeouts } : {}),
      ...(config.excludedLeaders ? { excludedLeaders: config.excludedLeaders } : {}),
      ...(config.abstainFrom ? { abstainFrom: new Set(config.abstainFrom) } : {}),
      ...(config.partialVerification ? { partialVerification: config.partialVerification } : {}),
    });

  const partitioned = (from: number, to: number, at: number) =>
    partitions.some(
      (p) =>
        at >= p.startMs &&
        at < p.endMs &&
        p.groups.findIndex((g) => g.includes(from)) !== p.groups.findIndex((g) => g.includes(to)),
    );

  /** Skipping needs free processing (a dropped message still costs a member its processing time). */
  const skipOnceDecided =
    hooks.ignoredOnceDecided !== undefined &&
    !network.processingMs &&
    config.skipDeliveriesOnceDecided !== false;
  const ignoredKinds = ignoredKindsOf(hooks);
  /** Honest members that cannot restart (a restarted member starts undecided). */
  const skippable = members.map((j) => !byzantine.has(j) && crashes.get(j)?.restartMs === undefined);
  /** Whether member j's current instance has decided (`instances[j]?.decision() !== undefined`). */
  const decidedNow = members.map(() => false);
  const { mute } = faults;
  const { loss, linkLatencyMs, latencyMs } = network;
  const jitterMs = network.jitterMs ?? 0;
  const partitionsActive = partitions.length > 0;
  const transmit = (from: number, to: number, payload: Uint8Array, at: number) => {
    if (partitionsActive && partitioned(from, to, at)) return;
    if (mute && from === mute.member && at < mute.untilMs && !byzantine.has(to)) return;
    if (loss && rng.next() < loss) return;
    messages++;
    bytes += payload.length;
    // A decided honest member would drop this unread (and cannot restart undecided): skip delivery,
    // drawing what its delay would have drawn (the same random sequence either way).
    if (
      skipOnceDecided &&
      decidedNow[to] &&
      skippable[to] &&
      payload.length > 2 &&
      ignoredKinds[payload[2]!]
    ) {
      rng.skip(2);
      return;
    }
    const mean = linkLatencyMs ? linkLatencyMs(from, to) : latencyMs;
    const delay = Math.max(mean * 0.1, mean + jitterMs * rng.normal());
    queue.push(at + delay, payload, to);
  };

  const honest = members.slice(1).filter((j) => !byzantine.has(j));
  const byzantineMembers = createByzantineMembers({
    n,
    protocolId: protocol.id,
    hooks,
    instance,
    auths,
    schemes,
    rng,
    valueA,
    valueB,
    byzantine,
    faults,
    honest,
    transmit,
  });
  const { doubleVote } = byzantineMembers;

  const emit = (j: number, out: ConsensusOutput<Uint8Array, unknown>, at: number) => {
    const { events, timers, messages: sent } = out;
    for (let k = 0; k < events.length; k++) {
      const e = events[k]!;
      if (e.type === 'decided') decidedNow[j] = true;
      if (e.type === 'decided' && decidedAt[j] === undefined) {
        decidedAt[j] = at;
        changed = true;
        decisions[j] = key(e.decision.root);
        if (
          config.checkSignatures !== false &&
          !schemes[j]!.verifyCombined(e.decision.root, e.decision.signature)
        )
          signaturesValid = false;
      }
      if (e.type === 'round' && decidedAt[j] === undefined) maxRound[j] = Math.max(maxRound[j]!, e.round);
      if (e.type === 'evidence' && !byzantine.has(j)) {
        accused.add(e.evidence.member);
        config.onEvidence?.(e.evidence);
      }
    }
    for (let k = 0; k < timers.length; k++) {
      const timer = timers[k]!;
      const skewed = timer.delayMs;
      queue.push(at + skewed, { kind: 'timer', member: j, round: timer.round, epoch: epochs[j]! });
    }
    const faulty = byzantine.has(j);
    for (let k = 0; k < sent.length; k++) {
      const msg = sent[k]!;
      // A double voter also signs its own proposals.
      if (faulty && byzantine.get(j) === 'double-vote') doubleVote(j, msg.bytes, at);
      for (let to = 1; to <= n; to++) {
        if (to === j) continue;
        if (!faulty) transmit(j, to, msg.bytes, at);
        else for (const p of byzantineMembers.out(j, msg.bytes, to)) transmit(j, to, p, at);
      }
    }
  };

  /** Restarts still to come: a member that restarts after the others decided must decide too. */
  let restartsPending = 0;
  for (let j = 1; j <= n; j++) {
    const crash = crashes.get(j);
    const skew = network.skewMs ? rng.next() * network.skewMs : 0;
    if (!crash || crash.atMs > 0) queue.push(skew, { kind: 'start', member: j });
    else down[j] = true;
    if (crash && crash.atMs > 0) queue.push(crash.atMs, { kind: 'crash', member: j });
    if (crash?.restartMs !== undefined && crash.restartMs <= horizon) {
      queue.push(crash.restartMs, { kind: 'restart', member: j });
      restartsPending++;
    }
    if (byzantine.get(j) === 'round-change-spam') byzantineMembers.spam(j, skew);
  }

  const liveHonest = () => honest.filter((j) => !down[j]);
  /** Every live honest member has decided, and one is live (without allocating: called often). */
  const allDoneAndSomeLive = () => {
    let live = false;
    for (const j of honest) {
      if (down[j]) continue;
      if (decidedAt[j] === undefined) return false;
      live = true;
    }
    return live;
  };
  /** Whether a decision, crash or start happened since `allDone` was last false (it can only turn true then). */
  let changed = false;
  const processingMs = network.processingMs ?? 0;
  const doubleVoters = [...byzantine.values()].includes('double-vote');

  while (queue.size > 0) {
    const now = queue.nextAt();
    if (now > horizon) break;
    const e = queue.take()!;
    if (e instanceof Uint8Array) {
      // A delivery (the queue's tag is the recipient).
      const j = queue.takenTag;
      const inst = instances[j];
      if (down[j] || !inst) continue;
      if (busy[j]! > now) {
        queue.push(busy[j]!, e, j);
        continue;
      }
      const done = now + processingMs;
      busy[j] = done;
      if (doubleVoters && byzantine.get(j) === 'double-vote') doubleVote(j, e, done);
      emit(j, inst.handle(e), done);
      if (changed) {
        changed = false;
        // Everyone honest is done, and nobody restarts: remaining traffic cannot change decisions.
        if (queue.size > 0 && restartsPending === 0 && allDoneAndSomeLive()) break;
      }
      continue;
    }
    const j = e.member;
    if (e.kind === 'crash') {
      changed = true;
      down[j] = true;
      instances[j] = undefined;
      decidedNow[j] = false;
      continue;
    }
    if (e.kind === 'restart' || e.kind === 'start') {
      if (e.kind === 'restart') restartsPending--;
      changed = true;
      down[j] = false;
      epochs[j]!++;
      instances[j] = create(j);
      decidedNow[j] = false;
      emit(j, instances[j]!.start(candidate(j)), now);
      continue;
    }
    const inst = instances[j];
    if (down[j] || !inst) continue;
    // A timer.
    if (e.epoch !== epochs[j]) continue;
    emit(j, inst.timeout(e.round), now);
  }

  queue.clear();
  if (spareQueues.length < 4) spareQueues.push(queue as EventQueue<unknown>);
  /** Hex of each decided root key (members decide one or two roots: each converted once). */
  const hexes = new Map<string, string>();
  const hexOf = (k: string) => {
    let h = hexes.get(k);
    if (h === undefined) {
      h = keyHex(k);
      hexes.set(k, h);
    }
    return h;
  };
  const decidedHonest = honest.filter((j) => decisions[j] !== undefined);
  const roots = new Set(decidedHonest.map((j) => decisions[j]));
  const times = decidedHonest.map((j) => decidedAt[j]!);
  return {
    decisions: decisions.slice(1).map((d) => (d === undefined ? undefined : hexOf(d))),
    honest,
    firstDecisionMs: times.length > 0 ? Math.min(...times) : undefined,
    allDecidedMs:
      liveHonest().every((j) => decidedAt[j] !== undefined) && times.length > 0
        ? Math.max(...times)
        : undefined,
    rounds: Math.max(...honest.map((j) => maxRound[j]!)),
    messages,
    bytes,
    agreement: roots.size <= 1,
    signaturesValid,
    accused: [...accused].sort((a, b) => a - b),
  };
}

export type { Rng };
