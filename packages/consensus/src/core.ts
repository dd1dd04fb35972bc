/**
 * Machinery both protocols share: authenticated decoding with counted drop reasons, replay
 * protection, collection of partial signatures by root (a partial is valid in any round), double-
 * signing evidence, and deciding once t partials on one root are known together with its value.
 */

import { instanceAllocator, type MessageAllocator } from './allocator.ts';
import { hex, key, keyHex } from './bytes.ts';
import {
  BodyReader,
  BodyWriter,
  copyInto,
  DEFAULT_MAX_MESSAGE_BYTES,
  EMPTY_BYTES,
  HEADER_BYTES,
  WIRE_VERSION,
  writeHeader,
} from './codec.ts';
import { ConsensusError } from './errors.ts';
import { Partials } from './partials.ts';
import type {
  ConsensusEvent,
  ConsensusOutput,
  ConsensusParameters,
  Decision,
  DropReason,
  MessageAuthenticator,
  OutgoingMessage,
  PartialScheme,
  TimerRequest,
  ValueType,
} from './types.ts';

/** Whether two well-formed messages carry the same signature (compared in place). */
function sameSignature(a: Uint8Array, b: Uint8Array): boolean {
  const aStart = HEADER_BYTES + (((a[41]! << 24) | (a[42]! << 16) | (a[43]! << 8) | a[44]!) >>> 0) + 2;
  const bStart = HEADER_BYTES + (((b[41]! << 24) | (b[42]! << 16) | (b[43]! << 8) | b[44]!) >>> 0) + 2;
  const length = a.length - aStart;
  if (b.length - bStart !== length) return false;
  for (let i = 0; i < length; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** What `flush` returns when a call produced nothing (most deliveries): no allocation. */
const NOTHING: ConsensusOutput<never, never> = Object.freeze({
  messages: Object.freeze([]),
  timers: Object.freeze([]),
  events: Object.freeze([]),
}) as never;

/**
 * The machinery of one instance at one member, shared by both protocols. A class (methods on the
 * prototype, state in arrays indexed by member) because one is created per member and duty: the
 * simulator creates sixteen per simulated duty.
 *
 * `open` decodes a message in place: on success the header fields are in `kind`, `round`, `sender`
 * and the body is `reader` (positioned at its start) until the next `open`.
 */
export class Core<V, P, S> {
  readonly n: number;
  readonly t: number;
  readonly f: number;
  readonly self: number;
  readonly params: ConsensusParameters<V, P, S>;
  readonly reader = new BodyReader(EMPTY_BYTES);
  private readonly writer = new BodyWriter();
  /** This instance's message buffers (its own, or the caller's). */
  private readonly allocator: MessageAllocator;
  private pendingKind = 0;
  private pendingRound = 0;
  /** Header fields of the message last opened. */
  kind = 0;
  round = 0;
  sender = 0;
  private readonly protocol: number;
  private readonly instance: Uint8Array;
  private readonly scheme: PartialScheme<P, S>;
  private readonly auth: MessageAuthenticator;
  private readonly valueType: ValueType<V>;
  private readonly maxBytes: number;
  private readonly baseMs: number;
  private readonly growth: number;
  private readonly maxMs: number;
  private messages: OutgoingMessage[] | undefined;
  private timers: TimerRequest[] | undefined;
  private events: ConsensusEvent<V, S>[] | undefined;
  private dropCounts: Record<string, number> | undefined;
  /** The output to come once the sign guard's awaited answer is in (handed out by the next flush). */
  private pending: Promise<ConsensusOutput<V, S>> | undefined;
  /** Whether an answer of the sign guard is awaited (one request at a time). */
  private guardAwaited = false;
  /**
   * Messages already handled, for replay protection: by (sender, kind, round), the first message
   * seen (identical bytes carry identical signatures: its signature is compared), or the first two
   * when one slot saw two. An honest member sends one message per slot (evidence needs two). A
   * further distinct message is handled but not kept, so its replays are handled again, which
   * changes nothing (every handler ignores what it already holds): one sender cannot make a slot
   * grow, nor its scan cost more than two comparisons.
   */
  private readonly seen = new Map<number | string, Uint8Array | readonly [Uint8Array, Uint8Array]>();
  /** The partial signatures received, by root. */
  readonly partials: Partials<P, S>;
  /** Values known by root. */
  private readonly values = new Map<string, { value: V; bytes: Uint8Array; root: Uint8Array }>();
  private decided: Decision<V, S> | undefined;

  constructor(params: ConsensusParameters<V, P, S>, protocol: number) {
    if (!(params.instance instanceof Uint8Array) || params.instance.length !== 32)
      throw new ConsensusError({
        code: 'INVALID_PARAMETER',
        field: 'instance',
        expected: '32 bytes',
        actual:
          params.instance instanceof Uint8Array ? `${params.instance.length} bytes` : typeof params.instance,
      });
    this.params = params;
    this.protocol = protocol;
    this.n = params.n;
    this.t = params.t;
    this.f = params.n - params.t;
    this.self = params.self;
    this.instance = params.instance;
    this.scheme = params.scheme;
    this.auth = params.auth;
    this.valueType = params.valueType;
    this.maxBytes = params.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.allocator = params.allocator ?? instanceAllocator();
    this.partials = new Partials(
      params.n,
      params.t,
      params.scheme,
      params.partialVerification === 'on-combine',
      (member) => this.drop('invalid-partial', member),
      (evidence) => this.event({ type: 'evidence', evidence }),
    );
    const timeouts = params.timeouts ?? { baseMs: 2000, growth: 2, maxMs: 32_000 };
    this.baseMs = timeouts.baseMs;
    this.growth = timeouts.growth;
    this.maxMs = timeouts.maxMs;
  }

  timeoutMs(round: number): number {
    return Math.min(this.maxMs, this.baseMs * this.growth ** (round - 1));
  }

  drop(reason: DropReason, from?: number): void {
    if (this.dropCounts === undefined) this.dropCounts = {};
    this.dropCounts[reason] = (this.dropCounts[reason] ?? 0) + 1;
    this.event(from === undefined ? { type: 'dropped', reason } : { type: 'dropped', reason, from });
  }

  /** Counts a dropped message; false, for `open`. */
  private reject(reason: DropReason, from?: number): false {
    this.drop(reason, from);
    return false;
  }

  /** What the calls since the last flush produced. */
  flush(): ConsensusOutput<V, S> {
    const { messages, timers, events, pending } = this;
    if (messages === undefined && timers === undefined && events === undefined && pending === undefined)
      return NOTHING;
    this.messages = undefined;
    this.timers = undefined;
    this.events = undefined;
    const out = { messages: messages ?? [], timers: timers ?? [], events: events ?? [] };
    if (pending === undefined) return out;
    this.pending = undefined;
    return { ...out, pending };
  }

  /**
   * Asks the sign guard whether this member may sign `root` (of `value`): runs `sign` at once if it
   * allows at once, or, if it answers with a promise, when that resolves true and nothing has been
   * decided meanwhile (what `sign` produces then is the `pending` output of this call). Nothing is
   * asked while an answer is awaited; a guard that throws or rejects refuses.
   */
  guardThen(value: V, root: Uint8Array, sign: () => void): void {
    if (this.guardAwaited) return;
    let answer: boolean | PromiseLike<boolean>;
    try {
      answer = this.params.guard.allow({ instance: this.instance, value, root });
    } catch {
      return;
    }
    if (answer === true) return sign();
    if (answer === false || typeof answer?.then !== 'function') return;
    this.guardAwaited = true;
    this.pending = Promise.resolve(answer).then(
      (allowed) => this.guardAnswered(allowed === true, sign),
      () => this.guardAnswered(false, sign),
    );
  }

  private guardAnswered(allowed: boolean, sign: () => void): ConsensusOutput<V, S> {
    this.guardAwaited = false;
    if (allowed && this.decided === undefined) sign();
    return this.flush();
  }

  drops(): Readonly<Record<string, number>> {
    return { ...this.dropCounts };
  }

  timer(round: number): void {
    if (this.timers === undefined) this.timers = [];
    this.timers.push({ round, delayMs: this.timeoutMs(round) });
  }

  event(e: ConsensusEvent<V, S>): void {
    if (this.events === undefined) this.events = [];
    this.events.push(e);
  }

  /**
   * Records a message (well-formed: `open` checked its framing) as seen; false if one with the same
   * signature was seen before in its (sender, kind, round) slot.
   */
  private firstSight(sender: number, kind: number, round: number, message: Uint8Array): boolean {
    const slot = round < 0x10_0000 ? (round * 256 + kind) * 0x1_0000 + sender : `${sender}/${kind}/${round}`;
    const before = this.seen.get(slot);
    if (before === undefined) {
      this.seen.set(slot, message);
      return true;
    }
    if (before instanceof Uint8Array) {
      if (sameSignature(before, message)) return false;
      this.seen.set(slot, [before, message]);
      return true;
    }
    return !sameSignature(before[0], message) && !sameSignature(before[1], message);
  }

  /** Signs and sends a message with this body; returns its bytes. */
  send(kind: number, round: number, body: Uint8Array): Uint8Array {
    this.beginMessage(kind, round, body.length).raw(body);
    return this.endMessage();
  }

  /**
   * Starts a message whose body has `bodyLength` bytes: write the body with the returned writer,
   * then `endMessage()` signs and sends it. The message is built in one buffer.
   */
  beginMessage(kind: number, round: number, bodyLength: number): BodyWriter {
    const end = HEADER_BYTES + bodyLength;
    const buffer = this.allocator.allocate(end + 2 + this.allocator.signatureBytes);
    writeHeader(buffer, this.protocol, kind, this.instance, round, this.self, bodyLength);
    this.writer.reset(buffer, HEADER_BYTES, end);
    this.pendingKind = kind;
    this.pendingRound = round;
    return this.writer;
  }

  /** Signs the message begun last, records it as seen, queues it for sending; returns its bytes. */
  endMessage(): Uint8Array {
    const { writer } = this;
    const end = writer.end;
    if (writer.at !== end)
      throw new ConsensusError({
        code: 'BODY_LENGTH_MISMATCH',
        announced: end - HEADER_BYTES,
        written: writer.at - HEADER_BYTES,
      });
    let bytes = writer.buffer;
    const signature = this.auth.sign(bytes.subarray(0, end));
    if (end + 2 + signature.length !== bytes.length) {
      this.allocator.signatureBytes = signature.length;
      const sized = this.allocator.allocate(end + 2 + signature.length);
      copyInto(sized, bytes.subarray(0, end), 0);
      bytes = sized;
    }
    bytes[end] = signature.length >>> 8;
    bytes[end + 1] = signature.length;
    copyInto(bytes, signature, end + 2);
    this.firstSight(this.self, this.pendingKind, this.pendingRound, bytes);
    if (this.messages === undefined) this.messages = [];
    this.messages.push({ bytes });
    return bytes;
  }

  /**
   * Decodes and authenticates in place (header fields in `kind`, `round`, `sender`, the body in
   * `reader`); false (and the reason counted) when the message is dropped. The checks and their
   * order are those of `decodeWire` followed by instance, sender, signature, round and replay checks:
   * a message of a round above `maxRound` is dropped ('future-round-flood') before it is recorded.
   */
  open(bytes: Uint8Array, maxRound = Number.POSITIVE_INFINITY): boolean {
    if (!(bytes instanceof Uint8Array)) return this.reject('malformed');
    const length = bytes.length;
    if (length > this.maxBytes) return this.reject('oversized');
    if (length < HEADER_BYTES + 2) return this.reject('malformed');
    if (bytes[0] !== WIRE_VERSION) return this.reject('unsupported-version');
    const bodyLength = ((bytes[41]! << 24) | (bytes[42]! << 16) | (bytes[43]! << 8) | bytes[44]!) >>> 0;
    if (bodyLength > length - HEADER_BYTES - 2) return this.reject('malformed');
    const end = HEADER_BYTES + bodyLength;
    if (end + 2 + ((bytes[end]! << 8) | bytes[end + 1]!) !== length) return this.reject('malformed');
    if (bytes[1] !== this.protocol) return this.reject('wrong-instance');
    const instance = this.instance;
    for (let i = 0; i < 32; i++) if (bytes[3 + i] !== instance[i]) return this.reject('wrong-instance');
    const sender = (bytes[39]! << 8) | bytes[40]!;
    if (sender < 1 || sender > this.n) return this.reject('unknown-sender');
    const auth = this.auth;
    const authentic =
      auth.verifyIn !== undefined
        ? auth.verifyIn(sender, bytes, end, end + 2)
        : auth.verify(sender, bytes.subarray(0, end), bytes.subarray(end + 2));
    if (!authentic) return this.reject('bad-signature', sender);
    const kind = bytes[2]!;
    const round = ((bytes[35]! << 24) | (bytes[36]! << 16) | (bytes[37]! << 8) | bytes[38]!) >>> 0;
    if (round > maxRound) return this.reject('future-round-flood', sender);
    // Identical bytes carry identical signatures: the sender and signature identify a replay.
    if (!this.firstSight(sender, kind, round, bytes)) return this.reject('replayed', sender);
    this.kind = kind;
    this.round = round;
    this.sender = sender;
    this.reader.reset(bytes, HEADER_BYTES, end);
    return true;
  }

  decodeValue(bytes: Uint8Array): { value: V; root: Uint8Array } | undefined {
    try {
      const value = this.valueType.decode(bytes);
      if (!this.valueType.isValid(value)) return undefined;
      return { value, root: this.valueType.signingRoot(value) };
    } catch {
      return undefined;
    }
  }

  learnValue(root: Uint8Array, value: V, bytes: Uint8Array): void {
    this.values.set(key(root), { value, bytes, root });
  }

  /** The value with this root key (`key(root)`), if known. */
  knownValue(root: string): { value: V; bytes: Uint8Array; root: Uint8Array } | undefined {
    return this.values.get(root);
  }

  /**
   * Decides on the root with key `root` when t partials and its value are known. Returns the
   * decision if made now (the caller announces it).
   */
  tryDecide(root: string, round: number): Decision<V, S> | undefined {
    if (this.decided !== undefined) return undefined;
    if (this.partials.count(root) < this.t) return undefined;
    const known = this.values.get(root);
    if (known === undefined) return undefined;
    const rootBytes = known.root;
    const signature = this.partials.combine(root, rootBytes);
    if (signature === undefined) return undefined;
    const decision: Decision<V, S> = { value: known.value, root: rootBytes, signature, round };
    this.decided = decision;
    this.event({ type: 'decided', decision });
    return decision;
  }

  acceptDecided(valueBytes: Uint8Array, signatureBytes: Uint8Array, round: number, from: number): void {
    if (this.decided !== undefined) return;
    const decoded = this.decodeValue(valueBytes);
    if (!decoded) return this.drop('invalid-value', from);
    let signature: S;
    try {
      signature = this.scheme.decodeSignature(signatureBytes);
    } catch {
      return this.drop('invalid-decision', from);
    }
    if (!this.scheme.verifyCombined(decoded.root, signature)) return this.drop('invalid-decision', from);
    this.learnValue(decoded.root, decoded.value, valueBytes);
    const decision: Decision<V, S> = { value: decoded.value, root: decoded.root, signature, round };
    this.decided = decision;
    this.event({ type: 'decided', decision });
  }

  decision(): Decision<V, S> | undefined {
    return this.decided;
  }

  /** Partials (signers by root), known values and the decision, canonically ordered. */
  describe(): string {
    const known = [...this.values.keys()].map(keyHex).sort();
    const d = this.decided;
    const decided = d ? `${hex(d.root)}@${d.round}/${hex(this.scheme.encodeSignature(d.signature))}` : '-';
    return `${this.partials.describe()} v[${known.join(',')}] d[${decided}]${this.guardAwaited ? ' guard-awaited' : ''}`;
  }
}
