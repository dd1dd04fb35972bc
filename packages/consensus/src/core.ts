/**
 * Machinery both protocols share: authenticated decoding with counted drop reasons, replay
 * protection, collection of partial signatures by root (a partial is valid in any round), double-
 * signing evidence, and deciding once t partials on one root are known together with its value.
 */
import {
  attachSignature,
  ConsensusCodecError,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeWire,
  encodeUnsigned,
  type WireMessage,
} from './codec.ts';
import type {
  ConsensusEvent,
  ConsensusInstance,
  ConsensusParameters,
  Decision,
  DropReason,
  OutgoingMessage,
  TimerRequest,
} from './types.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
export const hex = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += HEX[x];
  return s;
};
/**
 * A map key for bytes: one character per byte. Cheaper to build than hex and ordered the same way
 * (by bytes), so sorting keys sorts the bytes. `keyHex` turns a key back into hex for descriptions.
 */
export const key = (b: Uint8Array): string => String.fromCharCode.apply(null, b as unknown as number[]);
export const keyHex = (k: string): string => {
  let s = '';
  for (let i = 0; i < k.length; i++) s += HEX[k.charCodeAt(i)];
  return s;
};
export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function createCore<V, P, S>(params: ConsensusParameters<V, P, S>, protocol: number) {
  const { n, t, self, instance, scheme, auth, valueType } = params;
  const maxBytes = params.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const timeouts = params.timeouts ?? { baseMs: 2000, growth: 2, maxMs: 32_000 };
  let messages: OutgoingMessage[] = [];
  let timers: TimerRequest[] = [];
  let events: ConsensusEvent<V, S>[] = [];
  const drops: Record<string, number> = {};
  /** What `flush` returns when a call produced nothing (most deliveries): no allocation. */
  const nothing: { messages: OutgoingMessage[]; timers: TimerRequest[]; events: ConsensusEvent<V, S>[] } =
    Object.freeze({ messages: [], timers: [], events: [] }) as never;
  /**
   * Messages already handled, for replay protection: by (sender, kind, round), then the signatures
   * seen for it (identical bytes carry identical signatures). Usually one entry per slot.
   */
  const seen = new Map<number | string, Uint8Array[]>();
  const slot = (sender: number, kind: number, round: number): number | string =>
    round < 0x10_0000 ? (round * 256 + kind) * 0x1_0000 + sender : `${sender}/${kind}/${round}`;
  /** Records a message as seen; false if it was seen before. */
  const firstSight = (sender: number, kind: number, round: number, signature: Uint8Array): boolean => {
    const k = slot(sender, kind, round);
    const list = seen.get(k);
    if (!list) {
      seen.set(k, [signature]);
      return true;
    }
    for (const s of list) if (equal(s, signature)) return false;
    list.push(signature);
    return true;
  };
  /**
   * Partials by root, then by member, with the message that carried each (for evidence). With
   * verification on arrival every entry is verified; on combination, entries are checked when a
   * combination fails or evidence needs them.
   */
  interface PartialEntry {
    readonly partial: P;
    readonly message: Uint8Array;
    verified: boolean;
  }
  const partials = new Map<string, Map<number, PartialEntry>>();
  /** Each member's first root, for double-signing evidence. */
  const memberRoot = new Map<number, { root: string; rootBytes: Uint8Array; entry: PartialEntry }>();
  const lazy = params.partialVerification === 'on-combine';
  const doubleSigners = new Set<number>();
  /** Values known by root. */
  const values = new Map<string, { value: V; bytes: Uint8Array; root: Uint8Array }>();
  let decision: Decision<V, S> | undefined;
  /** The last root keyed: nearly every partial of an instance is on one root. */
  let lastRoot: Uint8Array | undefined;
  let lastRootKey = '';
  const rootKeyOf = (root: Uint8Array): string => {
    if (lastRoot && equal(lastRoot, root)) return lastRootKey;
    lastRoot = new Uint8Array(root);
    lastRootKey = key(root);
    return lastRootKey;
  };

  /** Combines the first t partials on a root; the signature if it verifies. */
  const combineFirst = (byMember: Map<number, PartialEntry>, rootBytes: Uint8Array): S | undefined => {
    const chosen: { member: number; partial: P }[] = [];
    for (const [member, p] of byMember) {
      if (chosen.length === t) break;
      chosen.push({ member, partial: p.partial });
    }
    const signature = scheme.combine(rootBytes, chosen);
    return scheme.verifyCombined(rootBytes, signature) ? signature : undefined;
  };

  /** Drops an unverified partial that turned out invalid (counted), so a valid one may replace it. */
  const forget = (member: number, rootKey: string) => {
    partials.get(rootKey)?.delete(member);
    if (memberRoot.get(member)?.root === rootKey) memberRoot.delete(member);
    core.drop('invalid-partial', member);
  };

  const core = {
    n,
    t,
    self,
    f: n - t,
    params,
    timeoutMs: (round: number) => Math.min(timeouts.maxMs, timeouts.baseMs * timeouts.growth ** (round - 1)),
    drop(reason: DropReason, from?: number) {
      drops[reason] = (drops[reason] ?? 0) + 1;
      events.push(from === undefined ? { type: 'dropped', reason } : { type: 'dropped', reason, from });
    },
    flush() {
      if (messages.length === 0 && timers.length === 0 && events.length === 0) return nothing;
      const out = { messages, timers, events };
      messages = [];
      timers = [];
      events = [];
      return out;
    },
    drops: () => ({ ...drops }),
    timer(round: number) {
      timers.push({ round, delayMs: core.timeoutMs(round) });
    },
    event(e: ConsensusEvent<V, S>) {
      events.push(e);
    },
    send(kind: number, round: number, body: Uint8Array): Uint8Array {
      const signed = encodeUnsigned(protocol, kind, instance, round, self, body);
      const bytes = attachSignature(signed, auth.sign(signed));
      firstSight(self, kind, round, bytes.subarray(signed.length + 2));
      messages.push({ bytes });
      return bytes;
    },
    /** Decodes and authenticates; returns undefined (and counts why) when the message is dropped. */
    open(bytes: Uint8Array): WireMessage | undefined {
      let m: WireMessage;
      try {
        m = decodeWire(bytes, maxBytes);
      } catch (err) {
        core.drop(err instanceof ConsensusCodecError ? err.reason : 'malformed');
        return undefined;
      }
      if (m.protocol !== protocol || !equal(m.instance, instance)) return void core.drop('wrong-instance');
      if (m.sender < 1 || m.sender > n) return void core.drop('unknown-sender');
      if (!auth.verify(m.sender, m.signed, m.signature)) return void core.drop('bad-signature', m.sender);
      // Identical bytes carry identical signatures: the sender and signature identify a replay.
      if (!firstSight(m.sender, m.kind, m.round, m.signature)) return void core.drop('replayed', m.sender);
      return m;
    },
    decodeValue(bytes: Uint8Array): { value: V; root: Uint8Array } | undefined {
      try {
        const value = valueType.decode(bytes);
        if (!valueType.isValid(value)) return undefined;
        return { value, root: valueType.signingRoot(value) };
      } catch {
        return undefined;
      }
    },
    learnValue(root: Uint8Array, value: V, bytes: Uint8Array) {
      values.set(key(root), { value, bytes, root });
    },
    /** The value with this root key (`key(root)`), if known. */
    knownValue(root: string) {
      return values.get(root);
    },
    /**
     * Records a partial from `member` on `root`: verified now, or (with `partialVerification:
     * 'on-combine'`) when a combination including it fails or evidence needs it; `trusted` marks this
     * member's own. Returns the root's key, or undefined if the partial is dropped. A member's second
     * root produces double-signing evidence (both partials verified first).
     */
    addPartial(
      member: number,
      root: Uint8Array,
      partialBytes: Uint8Array,
      message: Uint8Array,
      trusted = false,
    ): string | undefined {
      let partial: P;
      try {
        partial = scheme.decodePartial(partialBytes);
      } catch {
        core.drop('invalid-partial', member);
        return undefined;
      }
      let verified = trusted;
      if (!verified && !lazy) {
        if (!scheme.verifyPartial(member, root, partial)) {
          core.drop('invalid-partial', member);
          return undefined;
        }
        verified = true;
      }
      const rootKey = rootKeyOf(root);
      const entry: PartialEntry = { partial, message, verified };
      let before = memberRoot.get(member);
      if (before && before.root !== rootKey && !doubleSigners.has(member)) {
        // Evidence must hold up: both partials valid.
        if (!entry.verified) {
          if (!scheme.verifyPartial(member, root, partial)) {
            core.drop('invalid-partial', member);
            return undefined;
          }
          entry.verified = true;
        }
        if (!before.entry.verified) {
          if (scheme.verifyPartial(member, before.rootBytes, before.entry.partial))
            before.entry.verified = true;
          else {
            forget(member, before.root);
            before = undefined;
          }
        }
        if (before) {
          doubleSigners.add(member);
          events.push({
            type: 'evidence',
            evidence: { kind: 'double-signed-partial', member, messages: [before.entry.message, message] },
          });
        }
      }
      // Messages are kept as handed in (also for evidence), so the root can be too.
      if (!before) memberRoot.set(member, { root: rootKey, rootBytes: root, entry });
      let byMember = partials.get(rootKey);
      if (!byMember) {
        byMember = new Map();
        partials.set(rootKey, byMember);
      }
      if (!byMember.has(member)) byMember.set(member, entry);
      return rootKey;
    },
    partialCount(root: string): number {
      return partials.get(root)?.size ?? 0;
    },
    /** Root keys ordered by partial count (most first, ties by root). */
    rootsByCount(): { root: string; count: number }[] {
      return [...partials]
        .map(([root, m]) => ({ root, count: m.size }))
        .sort((a, b) => b.count - a.count || (a.root < b.root ? -1 : 1));
    },
    /**
     * Decides on the root with key `root` when t partials and its value are known. Returns the
     * decision if made now.
     */
    tryDecide(
      root: string,
      round: number,
      announce: (d: Decision<V, S>) => void,
    ): Decision<V, S> | undefined {
      if (decision) return undefined;
      const byMember = partials.get(root);
      const known = values.get(root);
      if (!byMember || byMember.size < t || !known) return undefined;
      const rootBytes = known.root;
      let signature = combineFirst(byMember, rootBytes);
      if (signature === undefined && lazy) {
        // Some partial is bad: check the unverified ones, drop the invalid, try again.
        for (const [member, entry] of [...byMember]) {
          if (entry.verified) continue;
          if (scheme.verifyPartial(member, rootBytes, entry.partial)) entry.verified = true;
          else forget(member, root);
        }
        if (byMember.size >= t) signature = combineFirst(byMember, rootBytes);
      }
      if (signature === undefined) return undefined;
      decision = { value: known.value, root: rootBytes, signature, round };
      events.push({ type: 'decided', decision });
      announce(decision);
      return decision;
    },
    acceptDecided(valueBytes: Uint8Array, signatureBytes: Uint8Array, round: number, from: number): void {
      if (decision) return;
      const decoded = core.decodeValue(valueBytes);
      if (!decoded) return core.drop('invalid-value', from);
      let signature: S;
      try {
        signature = scheme.decodeSignature(signatureBytes);
      } catch {
        return core.drop('invalid-decision', from);
      }
      if (!scheme.verifyCombined(decoded.root, signature)) return core.drop('invalid-decision', from);
      core.learnValue(decoded.root, decoded.value, valueBytes);
      decision = { value: decoded.value, root: decoded.root, signature, round };
      events.push({ type: 'decided', decision });
    },
    decision: () => decision,
    /** Partials (signers by root), known values and the decision, canonically ordered. */
    describe(): string {
      const roots = [...partials]
        .map(([root, m]) => `${keyHex(root)}:${[...m.keys()].sort().join('.')}`)
        .sort();
      const known = [...values.keys()].map(keyHex).sort();
      const d = decision
        ? `${hex(decision.root)}@${decision.round}/${hex(scheme.encodeSignature(decision.signature))}`
        : '-';
      return `p[${roots.join(',')}] v[${known.join(',')}] d[${d}]`;
    },
  };
  return core;
}

export type Core<V, P, S> = ReturnType<typeof createCore<V, P, S>>;

/**
 * The instance surface both protocols share: `start` takes the own value once and enters round 1,
 * `handle` feeds one message, `timeout(r)` moves to round r + 1 if r is current and undecided.
 */
export function instanceApi<V, P, S>(
  core: Core<V, P, S>,
  protocol: {
    begin(ownValue: V | undefined): void;
    dispatch(bytes: Uint8Array): void;
    round(): number;
    enterRound(round: number): void;
    describe(): string;
  },
): ConsensusInstance<V, S> {
  let started = false;
  return {
    start(ownValue) {
      if (started) return core.flush();
      started = true;
      core.event({ type: 'round', round: 1 });
      core.timer(1);
      protocol.begin(ownValue);
      return core.flush();
    },
    handle(bytes) {
      protocol.dispatch(bytes);
      return core.flush();
    },
    timeout(r) {
      if (r === protocol.round() && !core.decision()) protocol.enterRound(r + 1);
      return core.flush();
    },
    round: () => protocol.round(),
    decision: () => core.decision(),
    drops: () => core.drops(),
    describe: () => `${started ? 'S' : '-'} ${protocol.describe()} ${core.describe()}`,
  };
}
