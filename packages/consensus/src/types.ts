/**
 * What the consensus state machines are generic over, and what they return. A runtime plugs in its
 * value type (attestation data, a block...), its partial-signature scheme (threshold BLS), its
 * message authentication (operator keys) and a durable sign guard; tests and the simulator plug in
 * their own.
 */
import type { MessageAllocator } from './allocator.ts';

/** The value decided for one duty. */
export interface ValueType<V> {
  encode(value: V): Uint8Array;
  /** Throws on malformed bytes. */
  decode(bytes: Uint8Array): V;
  /** Whether a member may accept this value (well-formed, matches the duty, safe to sign). */
  isValid(value: V): boolean;
  /** The 32-byte root the partial signatures sign. */
  signingRoot(value: V): Uint8Array;
}

/** This member's share of a threshold signature scheme, with verification of everyone's shares. */
export interface PartialScheme<P, S> {
  /** This member's partial signature over a root. */
  signPartial(root: Uint8Array): P;
  verifyPartial(member: number, root: Uint8Array, partial: P): boolean;
  /** Combines partials of at least t distinct members. */
  combine(root: Uint8Array, partials: readonly { member: number; partial: P }[]): S;
  verifyCombined(root: Uint8Array, signature: S): boolean;
  encodePartial(partial: P): Uint8Array;
  /** Throws on malformed bytes. */
  decodePartial(bytes: Uint8Array): P;
  encodeSignature(signature: S): Uint8Array;
  /** Throws on malformed bytes. */
  decodeSignature(bytes: Uint8Array): S;
}

/** Sender authentication of whole messages (the operator identity key in production). */
export interface MessageAuthenticator {
  sign(payload: Uint8Array): Uint8Array;
  verify(member: number, payload: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Optional: the same as `verify(member, bytes.subarray(0, payloadEnd),
   * bytes.subarray(signatureStart))`, without making the two views (the state machines call it for
   * every message received when present).
   */
  verifyIn?(member: number, bytes: Uint8Array, payloadEnd: number, signatureStart: number): boolean;
}

/** What a member is about to sign: its guard decides, and records durably, whether it may. */
export interface SignRequest<V> {
  /** The instance asking (a re-run of a duty has a new one: key the guard by what is slashable). */
  readonly instance: Uint8Array;
  /** The value whose signing root this member would sign (a block: its slot; attestation data: its epochs). */
  readonly value: V;
  /** The 32-byte signing root of `value`. */
  readonly root: Uint8Array;
}

/**
 * The safety rule's memory: before a partial leaves the process, the runtime records durably that
 * this member signs `request.root`, under a key of its choosing — what Ethereum slashes: (validator,
 * slot) for blocks, (validator, source and target epochs, refusing surround votes) for
 * attestations — so a duty re-run under a new instance id is still refused. It answers true to
 * allow (the same root again included) and false to refuse, at once or as a promise (a slashing
 * database is asynchronous): the instance holds its partial until the promise resolves, and sends
 * nothing when it resolves false or rejects (a guard that throws refuses too). An instance asks
 * once at a time; the output of the call that asked carries, as `pending`, what it produces once
 * the answer is in.
 */
export interface SignGuard<V = unknown> {
  allow(request: SignRequest<V>): boolean | PromiseLike<boolean>;
}

export interface ConsensusParameters<V, P, S> {
  /** Committee size n and threshold t (t = floor(2n/3) + 1 by default rules). */
  readonly n: number;
  readonly t: number;
  /** This member's 1-based index. */
  readonly self: number;
  /** 32-byte id of the duty this instance decides. */
  readonly instance: Uint8Array;
  /** Unpredictable randomness for the leader order (the RANDAO mix of an earlier epoch). */
  readonly leaderSeed: Uint8Array;
  readonly valueType: ValueType<V>;
  readonly scheme: PartialScheme<P, S>;
  readonly auth: MessageAuthenticator;
  readonly guard: SignGuard<NoInfer<V>>;
  /** Round r's timeout: base·growth^(r-1), at most maxTimeoutMs. */
  readonly timeouts?: { readonly baseMs: number; readonly growth: number; readonly maxMs: number };
  /** Largest message accepted (bytes). */
  readonly maxMessageBytes?: number;
  /** Rounds ahead of the current one for which messages are kept (the rest are dropped as a flood). */
  readonly maxFutureRounds?: number;
  /**
   * When others' partial signatures are checked. 'on-arrival' (default): each as it arrives.
   * 'on-combine': t partials on one root are combined and only the result is checked (one check
   * instead of t with threshold BLS); when that fails, the unchecked ones are checked and the invalid
   * dropped, and a partial is also checked before it becomes evidence. Safety is the same: a
   * decision still needs a combined signature that verifies.
   */
  readonly partialVerification?: 'on-arrival' | 'on-combine';
  /**
   * Members left out of the leader order (1-based): operators whose equivocation evidence is recorded
   * on chain as of the finalized checkpoint before the duty's epoch - 1, so every member uses the
   * same list (the runtime and contracts feed it). The order is outside the safety argument: lists
   * that briefly differ cannot cause disagreement. Excluding everyone excludes no one.
   */
  readonly excludedLeaders?: readonly number[];
  /**
   * Leaders this member abstains from (issue 14, item 7): members whose equivocation evidence it
   * holds, verified, but that are not excluded yet (the evidence is not final on chain). Their
   * proposals get no vote from this member; the round passes to the next leader on timeout.
   * Abstaining is always safe (no vote is ever needed for safety). Read at each proposal: the
   * runtime may add members (a `Set`) while instances run, e.g. on evidence gossiped by a peer.
   */
  readonly abstainFrom?: { has(member: number): boolean };
  /**
   * Buffers for the messages this instance builds (`createMessageAllocator`). Default: the
   * instance's own; a caller running many short instances may share one among them.
   */
  readonly allocator?: MessageAllocator;
}

export interface OutgoingMessage {
  /**
   * The signed message: a view into a slab of the instance's allocator (`bytes.buffer` holds other
   * data too). Send it as a view; copy it before transferring its buffer.
   */
  readonly bytes: Uint8Array;
}

export interface TimerRequest {
  readonly round: number;
  readonly delayMs: number;
}

export interface Decision<V, S> {
  readonly value: V;
  readonly root: Uint8Array;
  readonly signature: S;
  readonly round: number;
}

export type DropReason =
  | 'malformed'
  | 'oversized'
  | 'unsupported-version'
  | 'wrong-instance'
  | 'unknown-sender'
  | 'bad-signature'
  | 'replayed'
  | 'not-leader'
  | 'invalid-value'
  | 'invalid-partial'
  | 'invalid-decision'
  | 'old-round'
  | 'future-round-flood'
  | 'unjustified'
  | 'abstained';

/** Self-verifying evidence: two messages signed by one member that no honest member signs. */
export interface Evidence {
  readonly kind: 'equivocating-leader' | 'double-signed-partial';
  readonly member: number;
  readonly messages: readonly [Uint8Array, Uint8Array];
}

export type ConsensusEvent<V, S> =
  | { readonly type: 'decided'; readonly decision: Decision<V, S> }
  | { readonly type: 'round'; readonly round: number }
  | { readonly type: 'dropped'; readonly reason: DropReason; readonly from?: number }
  | { readonly type: 'evidence'; readonly evidence: Evidence };

export interface ConsensusOutput<V, S> {
  readonly messages: readonly OutgoingMessage[];
  readonly timers: readonly TimerRequest[];
  readonly events: readonly ConsensusEvent<V, S>[];
  /**
   * Present when this call asked the sign guard and its answer is a promise: the output produced
   * once the answer is in (this member's partial if allowed, and what follows from it), to be
   * handled like any other output (it may carry a `pending` of its own). Never rejects.
   */
  readonly pending?: Promise<ConsensusOutput<V, S>>;
}

/** One consensus instance at one member. */
export interface ConsensusInstance<V, S> {
  /** Starts round 1 with this member's own candidate value (proposed if it leads). */
  start(ownValue: V | undefined): ConsensusOutput<V, S>;
  /** Feeds one received message; never throws. */
  handle(bytes: Uint8Array): ConsensusOutput<V, S>;
  /** The timer for `round` fired. */
  timeout(round: number): ConsensusOutput<V, S>;
  round(): number;
  decision(): Decision<V, S> | undefined;
  /** Counts of dropped messages by reason. */
  drops(): Readonly<Record<string, number>>;
  /**
   * A canonical description of everything that decides this instance's future outputs (round, what
   * it signed, proposals, round changes and partials it holds by root, values it knows, decision),
   * without bookkeeping that only shapes evidence events. Two undecided instances of one member
   * with equal descriptions, having sent the same messages, send the same messages and decide the
   * same for any further input up to their decision (test/describe.test.ts checks this). Model
   * checkers use it to merge states (test/helpers/explorer.ts); it is not a wire format and may
   * change.
   */
  describe(): string;
}
