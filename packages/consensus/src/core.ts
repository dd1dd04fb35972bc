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
function equal(a: Uint8Array, b: Uint8Array): boolean {
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
  const seen = new Set<string>();
  /** Valid partials by root, then by member; with the message that carried each (for evidence). */
  const partials = new Map<string, Map<number, { partial: P; message: Uint8Array }>>();
  const memberRoot = new Map<number, { root: string; message: Uint8Array }>();
  const doubleSigners = new Set<number>();
  /** Values known by root. */
  const values = new Map<string, { value: V; bytes: Uint8Array; root: Uint8Array }>();
  let decision: Decision<V, S> | undefined;

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
      seen.add(`${self}/${hex(bytes.subarray(signed.length + 2))}/${kind}/${round}`);
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
      const id = `${m.sender}/${hex(m.signature)}/${m.kind}/${m.round}`;
      if (seen.has(id)) return void core.drop('replayed', m.sender);
      seen.add(id);
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
      values.set(hex(root), { value, bytes, root });
    },
    knownValue(root: string) {
      return values.get(root);
    },
    /**
     * Records a partial from `member` on `root` (after verification). Returns false if the partial
     * does not verify. A member's second root produces double-signing evidence.
     */
    addPartial(member: number, root: Uint8Array, partialBytes: Uint8Array, message: Uint8Array): boolean {
      let partial: P;
      try {
        partial = scheme.decodePartial(partialBytes);
      } catch {
        core.drop('invalid-partial', member);
        return false;
      }
      if (!scheme.verifyPartial(member, root, partial)) {
        core.drop('invalid-partial', member);
        return false;
      }
      const key = hex(root);
      const before = memberRoot.get(member);
      if (before && before.root !== key && !doubleSigners.has(member)) {
        doubleSigners.add(member);
        events.push({
          type: 'evidence',
          evidence: { kind: 'double-signed-partial', member, messages: [before.message, message] },
        });
      }
      if (!before) memberRoot.set(member, { root: key, message });
      let byMember = partials.get(key);
      if (!byMember) {
        byMember = new Map();
        partials.set(key, byMember);
      }
      if (!byMember.has(member)) byMember.set(member, { partial, message });
      return true;
    },
    partialCount(root: string): number {
      return partials.get(root)?.size ?? 0;
    },
    /** Roots ordered by partial count (most first, ties by root). */
    rootsByCount(): { root: string; count: number }[] {
      return [...partials]
        .map(([root, m]) => ({ root, count: m.size }))
        .sort((a, b) => b.count - a.count || (a.root < b.root ? -1 : 1));
    },
    /** Decides on `root` when t partials and its value are known. Returns the decision if made now. */
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
      const chosen = [...byMember].slice(0, t).map(([member, p]) => ({ member, partial: p.partial }));
      const signature = scheme.combine(rootBytes, chosen);
      if (!scheme.verifyCombined(rootBytes, signature)) return undefined;
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
      const roots = [...partials].map(([root, m]) => `${root}:${[...m.keys()].sort().join('.')}`).sort();
      const known = [...values.keys()].sort();
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
