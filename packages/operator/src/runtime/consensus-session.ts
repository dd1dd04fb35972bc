// A consensus session: one rotational instance (@diva-dvt/consensus) per (validator, duty),
// started with this node's value, over the p2p network. The instance's sign guard (slashing
// protection) records durably what this member signs before its partial leaves; its proposals are
// recorded before they leave (`persistProposals`). Round 1's leader combines the votes and
// broadcasts DECIDED; the other members hold round-1 votes for up to `combinerWaitMs`, verify the
// leader's signature instead of combining, and combine themselves only without it.
import type { Signature } from '@diva-dvt/bls-threshold';
import {
  type ConsensusInstance,
  type ConsensusOutput,
  createRotationalInstance,
  type DropReason,
  decodeWire,
  type Evidence,
  leaderOf,
  leaderOrder,
  type MessageAllocator,
  type ProposalStore,
  persistProposals,
  RotationalKind,
  type SignGuard,
  type ValueType,
} from '@diva-dvt/consensus';
import { OperatorError } from '../errors.ts';
import type { PeerOffence } from '../p2p/types.ts';
import { proposedValue } from '../share-evidence.ts';
import type { DecidedValue, SigningDuty } from '../signer.ts';
import { createOperatorAuthenticator, type DirectDelivery } from './auth.ts';
import { conflictingProposal } from './equivocation-fault.ts';
import { dutyInstanceId, encodeConsensusFrame } from './frames.ts';
import type { ReceivedCombined } from './same-root-batch.ts';
import { type Session, type SessionHost, settledSignal, type ValidatorEntry } from './session.ts';

export interface ConsensusSessionOptions {
  readonly identityKey: Uint8Array;
  readonly guard: SignGuard;
  readonly proposals: ProposalStore | undefined;
  readonly allocator: MessageAllocator;
  /** Shared with the receive path: the message being delivered and its authenticated sender. */
  readonly direct: DirectDelivery;
  readonly roundTimeoutMs: number;
  readonly combinerWaitMs: number;
  /** With it, PROPOSALs are signed as the evidence contract's EIP-712 `Proposal` (./auth.ts). */
  readonly proposalDomainSeparator: Uint8Array | undefined;
  /** With what the contract's form of evidence needs beside the signed messages. */
  readonly onEvidence: (evidence: Evidence, context: EvidenceContext) => void;
  /** Fault injection (devnets, tests): as round 1's leader, propose two values (./equivocation-fault.ts). */
  readonly equivocateAsLeader?: boolean;
}

/** What turns consensus evidence into the contract's form (../evidence-store.ts, ../share-evidence.ts). */
export interface EvidenceContext {
  readonly duty: SigningDuty;
  /** A value's signing root from its wire bytes (throws on malformed bytes). */
  readonly rootOf: (value: Uint8Array) => Uint8Array;
  /** The wire bytes of a value with this root proposed in the instance (or this node's own), if seen. */
  readonly valueOf: (root: Uint8Array) => Uint8Array | undefined;
}

/** At most this many PROPOSALs are kept per instance for `valueOf` (one per round is honest). */
const KEPT_PROPOSALS = 8;

const OFFENCES: Partial<Record<DropReason, PeerOffence>> = {
  malformed: 'malformed',
  oversized: 'malformed',
  'unsupported-version': 'malformed',
  'bad-signature': 'invalid',
  'invalid-value': 'invalid',
  // what an honest member sends while a recorded resharing switches the shares (./partial-exchange.ts)
  'invalid-partial': 'unexpected',
  'invalid-decision': 'invalid',
};

/** `guard`, telling `onRefused` when it refuses (or fails, which refuses too). */
function watchRefusals(guard: SignGuard, onRefused: () => void): SignGuard {
  return {
    allow(request) {
      let answer: boolean | PromiseLike<boolean>;
      try {
        answer = guard.allow(request);
      } catch (e) {
        onRefused();
        throw e;
      }
      if (typeof answer === 'boolean') {
        if (!answer) onRefused();
        return answer;
      }
      return Promise.resolve(answer).then(
        (ok) => {
          if (!ok) onRefused();
          return ok;
        },
        (e: unknown) => {
          onRefused();
          throw e;
        },
      );
    },
  };
}

/** The committee's decision for the duty, starting from `ownValue`, and its group signature. */
export function decideWithCommittee<V>(
  host: SessionHost,
  entry: ValidatorEntry,
  ownValue: V,
  valueType: ValueType<V>,
  duty: SigningDuty,
  options: ConsensusSessionOptions,
): Promise<DecidedValue<V>> {
  const { committee, share } = entry.validator;
  const id = dutyInstanceId({ ...duty, groupPublicKey: committee.groupPublicKey });
  const startedMs = host.clock.nowMs();
  const base = options.roundTimeoutMs;
  const direct = options.direct;
  // A member whose beacon node saw another dependent root (a reorg across the epoch boundary) orders
  // leaders differently: liveness only (the order is outside the safety argument, decision 19).
  const seed = duty.leaderSeed ?? committee.groupPublicKey.subarray(0, 32);
  const n = committee.members.length;
  const waitMs = options.combinerWaitMs;
  const order = leaderOrder(n, id, seed);
  const holdVotes = waitMs > 0 && leaderOf(order, 1) !== share.shareIndex;
  let refused = false;
  const rootOf = (bytes: Uint8Array) => valueType.signingRoot(valueType.decode(bytes));
  // A VOTE carries only its root: evidence of a double vote needs the values, which the PROPOSALs
  // carried (kept as received, their roots computed only when evidence asks).
  // Only the round's leader's first PROPOSAL of each round, so a member cannot crowd them out.
  const proposed: Uint8Array[] = [];
  const proposedRounds = new Set<number>();
  const evidenceContext: EvidenceContext = {
    duty,
    rootOf,
    valueOf: (root) => {
      for (const value of [valueType.encode(ownValue), ...proposed.map(proposedValue)]) {
        try {
          if (value !== undefined && Buffer.compare(rootOf(value), root) === 0) return value;
        } catch {
          // a malformed proposal is no value
        }
      }
      return undefined;
    },
  };
  const domainSeparator = options.proposalDomainSeparator;
  const auth = createOperatorAuthenticator({
    secretKey: options.identityKey,
    publicKeys: entry.publicKeys,
    direct,
    ...(domainSeparator !== undefined ? { proposals: { domainSeparator, rootOf } } : {}),
  });
  const inner = createRotationalInstance({
    n,
    t: committee.threshold,
    self: share.shareIndex,
    instance: id,
    leaderSeed: seed,
    valueType,
    scheme: entry.scheme,
    auth,
    guard: watchRefusals(options.guard, () => {
      refused = true;
    }),
    timeouts: { baseMs: base, growth: 2, maxMs: base * 8 },
    partialVerification: 'on-combine',
    allocator: options.allocator,
  });
  const proposals = options.proposals;
  const instance: ConsensusInstance<V, Signature> =
    proposals === undefined ? inner : persistProposals(inner, { instance: id, valueType, store: proposals });

  return new Promise<DecidedValue<V>>((resolve, reject) => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    let closed = false;
    let settled = false;
    const { settled: settledPromise, markSettled } = settledSignal();
    const ownRoot = valueType.signingRoot(ownValue);
    /** Round-1 votes held while waiting for the designated combiner's DECIDED. */
    let holding:
      | { votes: { member: number; message: Uint8Array }[]; timer?: ReturnType<typeof setTimeout> }
      | undefined = holdVotes ? { votes: [] } : undefined;
    const feed = (member: number, message: Uint8Array) => {
      direct.bytes = message;
      direct.member = member;
      let out: ConsensusOutput<V, Signature>;
      try {
        out = instance.handle(message);
      } finally {
        direct.bytes = undefined;
      }
      handle(out);
    };
    /** Stops holding: feeds the held votes (no DECIDED came in time, or a new round began). */
    const release = () => {
      const held = holding;
      holding = undefined;
      if (held === undefined) return;
      if (held.timer !== undefined) clearTimeout(held.timer);
      if (instance.decision() !== undefined || closed) return;
      for (const v of held.votes) feed(v.member, v.message);
    };
    const handle = (out: ConsensusOutput<V, Signature>): void => {
      if (closed) return;
      for (const m of out.messages) {
        const twin = options.equivocateAsLeader
          ? conflictingProposal(m.bytes, share.shareIndex, (p) => auth.sign(p))
          : undefined;
        if (twin === undefined) host.broadcast(entry, encodeConsensusFrame(m.bytes));
        else host.broadcast(entry, encodeConsensusFrame(m.bytes), encodeConsensusFrame(twin));
      }
      for (const timer of out.timers) {
        const handleTimer = setTimeout(() => {
          timers.delete(handleTimer);
          handle(instance.timeout(timer.round));
        }, timer.delayMs);
        timers.add(handleTimer);
      }
      for (const event of out.events) {
        if (event.type === 'round' && event.round > 1) release();
        if (event.type === 'decided') release();
        if (event.type === 'decided' && !settled) {
          settled = true;
          cancelDeadline();
          markSettled();
          const { decision } = event;
          host.event({
            type: 'decided',
            duty,
            round: decision.round,
            latencyMs: host.clock.nowMs() - startedMs,
            own: Buffer.compare(decision.root, ownRoot) === 0,
          });
          resolve({ value: decision.value, signature: entry.scheme.encodeSignature(decision.signature) });
        } else if (event.type === 'evidence') {
          options.onEvidence(event.evidence, evidenceContext);
          host.logger.warn('consensus evidence', {
            kind: event.evidence.kind,
            operator: entry.addresses[event.evidence.member - 1],
            duty: duty.type,
            slot: duty.slot,
            validatorIndex: duty.validatorIndex,
          });
          host.event({ type: 'evidence', duty, evidence: event.evidence });
        } else if (event.type === 'dropped' && event.from !== undefined) {
          const from = entry.addresses[event.from - 1];
          if (from !== undefined) host.drop(from, event.reason, OFFENCES[event.reason]);
        }
      }
      if (out.pending !== undefined) void out.pending.then(handle);
    };
    const session: Session = {
      entry,
      duty,
      startedMs,
      deliver: (member, bytes) => {
        const message = bytes.subarray(1);
        if (((message[39] ?? 0) << 8) + (message[40] ?? 0) !== member) {
          return host.drop(entry.addresses[member - 1]!, 'sender field is not the connection', 'invalid');
        }
        if (holding !== undefined && message[2] === RotationalKind.Vote && instance.round() === 1) {
          if (holding.votes.length === 0) holding.timer = setTimeout(release, waitMs);
          holding.votes.push({ member, message: message.slice() });
          return;
        }
        if (message[2] === RotationalKind.Proposal && proposed.length < KEPT_PROPOSALS) {
          const round = u32At(message, 35);
          if (!proposedRounds.has(round) && leaderOf(order, round) === member) {
            proposedRounds.add(round);
            proposed.push(message.slice());
          }
        }
        feed(member, message);
      },
      combinedOf: (bytes) =>
        closed || instance.decision() !== undefined ? undefined : decidedOf(bytes.subarray(1), duty, rootOf),
      close: () => {
        closed = true;
        if (holding?.timer !== undefined) clearTimeout(holding.timer);
        holding = undefined;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        cancelDeadline();
        if (!settled) {
          settled = true;
          markSettled();
          reject(new OperatorError({ code: 'CONSENSUS_CLOSED', duty: duty.type, slot: duty.slot }));
        }
      },
    };
    const cancelDeadline = host.deadline(duty, () => {
      if (settled) return;
      settled = true;
      markSettled();
      host.event({ type: 'timeout', duty, stage: 'consensus' });
      if (refused) {
        reject(
          new OperatorError({
            code: 'SLASHING_PROTECTION_REFUSED',
            duty: duty.type,
            validatorIndex: duty.validatorIndex,
            slot: duty.slot,
          }),
        );
        return;
      }
      reject(
        new OperatorError({
          code: 'CONSENSUS_TIMEOUT',
          duty: duty.type,
          validatorIndex: duty.validatorIndex,
          slot: duty.slot,
          round: instance.round(),
        }),
      );
    });
    handle(instance.start(ownValue));
    host.open(id, session, settledPromise);
  });
}

const u32At = (b: Uint8Array, at: number) =>
  ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/**
 * The group signature of a DECIDED message (body: value and signature, each u32-length-prefixed),
 * keyed by duty, slot and value: equal keys sign one root. Undefined for anything else.
 */
function decidedOf(
  message: Uint8Array,
  duty: SigningDuty,
  rootOf: (value: Uint8Array) => Uint8Array,
): ReceivedCombined | undefined {
  if (message[2] !== RotationalKind.Decided) return undefined;
  let body: Uint8Array;
  try {
    body = decodeWire(message).body;
  } catch {
    return undefined;
  }
  if (body.length < 8) return undefined;
  const valueLength = u32At(body, 0);
  if (4 + valueLength + 4 > body.length) return undefined;
  const value = body.subarray(4, 4 + valueLength);
  const signatureLength = u32At(body, 4 + valueLength);
  if (8 + valueLength + signatureLength !== body.length) return undefined;
  return {
    key: `${duty.type}:${duty.slot}:${Buffer.from(value).toString('hex')}`,
    signature: body.subarray(8 + valueLength),
    root: () => rootOf(value),
  };
}
