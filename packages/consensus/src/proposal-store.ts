/**
 * Proposal persistence (issue 14, item 4): a leader that crashes after proposing and restarts must
 * propose the same value in that round again, or its two proposals are equivocation evidence
 * against an honest operator. `persistProposals` wraps an instance (of either protocol): before a
 * proposal leaves, the store records it durably per (instance, round) — the same durability as the
 * sign guard — and a round that has a recorded proposal sends the recorded one. After a restart
 * the wrapper starts the instance with the recorded round-1 value as its own candidate and re-sends
 * every recorded proposal.
 */
import type { ConsensusInstance, ConsensusOutput, OutgoingMessage, ValueType } from './types.ts';

/** The kind byte of a proposal (rotational PROPOSAL and QBFT PRE-PREPARE). */
const PROPOSAL_KIND = 1;
const HEADER_BYTES = 45;

/** Durable memory of this member's proposals, by (instance, round). */
export interface ProposalStore {
  /**
   * Records durably that this member sends the signed proposal `message` in `round` of `instance`,
   * unless one is recorded for them already; answers the recorded message (the one to send), at
   * once or as a promise.
   */
  record(request: {
    readonly instance: Uint8Array;
    readonly round: number;
    readonly message: Uint8Array;
  }): Uint8Array | PromiseLike<Uint8Array>;
  /** The proposals recorded for `instance` (what a restarted member re-sends), at once or as a promise. */
  recorded(instance: Uint8Array): readonly Uint8Array[] | PromiseLike<readonly Uint8Array[]>;
}

export interface PersistProposalsParameters<V> {
  /** The instance id (`ConsensusParameters.instance`). */
  readonly instance: Uint8Array;
  readonly valueType: ValueType<V>;
  readonly store: ProposalStore;
}

const roundOf = (b: Uint8Array) => ((b[35]! << 24) | (b[36]! << 16) | (b[37]! << 8) | b[38]!) >>> 0;
const isProposal = (b: Uint8Array) => b.length > HEADER_BYTES + 4 && b[2] === PROPOSAL_KIND;
/** The value of a proposal message (both protocols: the body starts with the length-prefixed value). */
function proposedValue(b: Uint8Array): Uint8Array | undefined {
  const length = ((b[45]! << 24) | (b[46]! << 16) | (b[47]! << 8) | b[48]!) >>> 0;
  return 49 + length <= b.length ? b.subarray(49, 49 + length) : undefined;
}

const isPromise = <T>(x: T | PromiseLike<T>): x is PromiseLike<T> =>
  typeof (x as { then?: unknown } | null)?.then === 'function';

/** Wraps `inner` so that its proposals are recorded before they leave and re-sent after a restart. */
export function persistProposals<V, S>(
  inner: ConsensusInstance<V, S>,
  parameters: PersistProposalsParameters<V>,
): ConsensusInstance<V, S> {
  const { instance, valueType, store } = parameters;

  /** `out` with every proposal replaced by the recorded one, once the store has recorded them. */
  const persist = (out: ConsensusOutput<V, S>): ConsensusOutput<V, S> => {
    const held = out.pending?.then(persist);
    if (!out.messages.some((m) => isProposal(m.bytes)))
      return held === undefined ? out : { ...out, pending: held };
    const answers = out.messages.map((m) =>
      isProposal(m.bytes) ? store.record({ instance, round: roundOf(m.bytes), message: m.bytes }) : m.bytes,
    );
    const withMessages = (sent: readonly Uint8Array[]) => sent.map((bytes): OutgoingMessage => ({ bytes }));
    if (!answers.some(isPromise)) {
      const messages = withMessages(answers as Uint8Array[]);
      return held === undefined ? { ...out, messages } : { ...out, messages, pending: held };
    }
    // The whole output waits until the proposals are recorded (nothing leaves before them).
    const recorded = Promise.all(answers).then(
      (sent): ConsensusOutput<V, S> => ({
        messages: withMessages(sent),
        timers: [],
        events: [],
        ...(held === undefined ? {} : { pending: held }),
      }),
      // A store that fails records nothing: nothing of this output is sent.
      (): ConsensusOutput<V, S> => ({ messages: [], timers: [], events: [] }),
    );
    return { messages: [], timers: out.timers, events: out.events, pending: recorded };
  };

  const begin = (own: V | undefined, before: readonly Uint8Array[]): ConsensusOutput<V, S> => {
    let candidate = own;
    for (const message of before) {
      if (roundOf(message) !== 1) continue;
      const value = proposedValue(message);
      try {
        if (value !== undefined) candidate = valueType.decode(value);
      } catch {
        // not a value of ours: keep the candidate
      }
    }
    const out = persist(inner.start(candidate));
    // Re-send what was recorded (but what the start sends anyway, the recorded round-1 proposal).
    const resent = before.filter((bytes) => !out.messages.some((m) => m.bytes === bytes));
    if (resent.length === 0) return out;
    return { ...out, messages: [...resent.map((bytes) => ({ bytes })), ...out.messages] };
  };

  return {
    start(own) {
      let before: readonly Uint8Array[] | PromiseLike<readonly Uint8Array[]>;
      try {
        before = store.recorded(instance);
      } catch {
        before = [];
      }
      if (!isPromise(before)) return begin(own, before);
      const started = Promise.resolve(before).then(
        (list) => begin(own, list),
        () => begin(own, []),
      );
      return { messages: [], timers: [], events: [], pending: started };
    },
    handle: (bytes) => persist(inner.handle(bytes)),
    timeout: (round) => persist(inner.timeout(round)),
    round: () => inner.round(),
    decision: () => inner.decision(),
    drops: () => inner.drops(),
    describe: () => inner.describe(),
  };
}
