/**
 * Rotational consensus: one round trip from duty start to a threshold signature.
 *
 * Round r's leader (a seeded permutation of the committee) broadcasts PROPOSAL(value). A member that
 * accepts it signs its partial signature over the value's signing root (after its sign guard records
 * the root durably) and broadcasts it as VOTE: the partial is the vote. Anyone holding t partials on
 * one root with its value combines them, checks the result and decides, broadcasting DECIDED so late
 * members finish at once. On timeout members move to round r+1 and send ROUND-CHANGE with the value
 * they signed (and its partial); the new leader, once it holds t round changes, re-proposes the value
 * with the most partials, else its own. f+1 round changes for a higher round pull a member forward.
 *
 * Safety: an honest member signs at most one root per instance (the guard); two decisions would need
 * t + t - n > f members that signed both. See docs/consensus.md.
 */
import { BodyReader, decodeWire, lengthPrefixed, writeFields } from './codec.ts';
import { createCore, equal, hex, instanceApi, key, keyHex } from './core.ts';
import { leaderOf, leaderOrder } from './leader.ts';
import type { ConsensusInstance, ConsensusParameters, Decision } from './types.ts';

export const ROTATIONAL_PROTOCOL = 1;
export const RotationalKind = { Proposal: 1, Vote: 2, RoundChange: 3, Decided: 4 } as const;

export function createRotationalInstance<V, P, S>(
  params: ConsensusParameters<V, P, S>,
): ConsensusInstance<V, S> {
  const core = createCore(params, ROTATIONAL_PROTOCOL);
  const { t, self, scheme, valueType, guard, instance } = params;
  const order = leaderOrder(params.n, instance, params.leaderSeed);
  const maxFuture = params.maxFutureRounds ?? 8;
  let round = 1;
  let own: { value: V; bytes: Uint8Array; root: Uint8Array } | undefined;
  let myVote: { root: Uint8Array; value: Uint8Array; partial: Uint8Array; proposal: Uint8Array } | undefined;
  const proposals = new Map<number, { digest: string; message: Uint8Array; value: Uint8Array }>();
  const roundChanges = new Map<number, Map<number, string | null>>();
  const proposed = new Set<number>();
  const decidedReplies = new Set<number>();
  const equivocators = new Set<number>();

  const announce = (d: Decision<V, S>) => {
    core.send(
      RotationalKind.Decided,
      round,
      writeFields(
        lengthPrefixed(valueType.encode(d.value)),
        lengthPrefixed(scheme.encodeSignature(d.signature)),
      ),
    );
  };

  function vote(valueBytes: Uint8Array, root: Uint8Array, proposal: Uint8Array): void {
    // The guard is the safety rule: it allows the root this member already signed, nothing else.
    if (myVote && equal(myVote.root, root)) return;
    if (!guard.allow(instance, root)) return;
    const partial = scheme.encodePartial(scheme.signPartial(root));
    myVote = { root, value: valueBytes, partial, proposal };
    const message = core.send(RotationalKind.Vote, round, writeFields(root, lengthPrefixed(partial)));
    const rootKey = core.addPartial(self, root, partial, message, true);
    if (rootKey !== undefined) core.tryDecide(rootKey, round, announce);
  }

  function onProposal(r: number, from: number, valueBytes: Uint8Array, message: Uint8Array): void {
    if (from !== leaderOf(order, r)) return core.drop('not-leader', from);
    const digest = key(valueBytes);
    const before = proposals.get(r);
    if (before) {
      if (before.digest !== digest && !equivocators.has(r)) {
        equivocators.add(r);
        core.event({
          type: 'evidence',
          evidence: { kind: 'equivocating-leader', member: from, messages: [before.message, message] },
        });
      }
      return;
    }
    proposals.set(r, { digest, message, value: valueBytes });
    const decoded = core.decodeValue(valueBytes);
    if (!decoded) return core.drop('invalid-value', from);
    core.learnValue(decoded.root, decoded.value, valueBytes);
    if (r === round) vote(valueBytes, decoded.root, message);
    core.tryDecide(key(decoded.root), round, announce);
  }

  /** A proposal relayed inside a round change: only remembered, for equivocation evidence. */
  function checkRelayedProposal(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    let m: ReturnType<typeof decodeWire>;
    try {
      m = decodeWire(bytes);
    } catch {
      return;
    }
    if (m.kind !== RotationalKind.Proposal || !equal(m.instance, instance)) return;
    if (m.sender !== leaderOf(order, m.round) || !params.auth.verify(m.sender, m.signed, m.signature)) return;
    const value = new BodyReader(m.body).bytesField();
    const before = proposals.get(m.round);
    if (!before) {
      proposals.set(m.round, { digest: key(value), message: bytes, value });
    } else if (before.digest !== key(value) && !equivocators.has(m.round)) {
      equivocators.add(m.round);
      core.event({
        type: 'evidence',
        evidence: { kind: 'equivocating-leader', member: m.sender, messages: [before.message, bytes] },
      });
    }
  }

  function maybePropose(): void {
    if (leaderOf(order, round) !== self || proposed.has(round) || core.decision()) return;
    let value: Uint8Array | undefined;
    if (round === 1) {
      value = own?.bytes;
    } else {
      const rcs = roundChanges.get(round);
      if (!rcs || rcs.size < t) return;
      // Re-propose the value with the most partials among the round changes, else our own.
      const counts = new Map<string, number>();
      for (const root of rcs.values()) if (root) counts.set(root, (counts.get(root) ?? 0) + 1);
      const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
      value = best ? core.knownValue(best[0])?.bytes : own?.bytes;
    }
    if (!value) return;
    proposed.add(round);
    const message = core.send(RotationalKind.Proposal, round, lengthPrefixed(value));
    onProposal(round, self, value, message);
  }

  function enterRound(r: number): void {
    round = r;
    core.event({ type: 'round', round: r });
    // The round change carries the signed proposal this member accepted: an equivocating leader's two
    // proposals meet here and become evidence.
    const body = myVote
      ? writeFields(
          { u8: 1 },
          lengthPrefixed(myVote.value),
          lengthPrefixed(myVote.partial),
          lengthPrefixed(myVote.proposal),
        )
      : writeFields({ u8: 0 });
    core.send(RotationalKind.RoundChange, r, body);
    recordRoundChange(r, self, myVote ? key(myVote.root) : null);
    core.timer(r);
    // A proposal for this round may have arrived early.
    const early = proposals.get(r);
    if (early) {
      const decoded = core.decodeValue(early.value);
      if (decoded) vote(early.value, decoded.root, early.message);
    }
    maybePropose();
  }

  function recordRoundChange(r: number, from: number, root: string | null): void {
    let rcs = roundChanges.get(r);
    if (!rcs) {
      rcs = new Map();
      roundChanges.set(r, rcs);
    }
    if (!rcs.has(from)) rcs.set(from, root);
    if (r > round && rcs.size >= core.f + 1 && !core.decision()) enterRound(r);
    else if (r === round) maybePropose();
  }

  function dispatch(bytes: Uint8Array): void {
    // After the decision only round changes matter (they get a DECIDED reply): the rest is ignored
    // before any decoding or signature check, which halves the work of a decided member.
    if (core.decision() && bytes[2] !== RotationalKind.RoundChange) return;
    const m = core.open(bytes);
    if (!m) return;
    const decided = core.decision();
    if (decided) {
      // Help a member that missed the decision: answer its round change once per round.
      if (m.kind === RotationalKind.RoundChange && !decidedReplies.has(m.round)) {
        decidedReplies.add(m.round);
        announce(decided);
      }
      return;
    }
    if (m.round > round + maxFuture) return core.drop('future-round-flood', m.sender);
    try {
      const body = new BodyReader(m.body);
      switch (m.kind) {
        case RotationalKind.Proposal: {
          const value = body.bytesField();
          body.end();
          if (m.round < round) return core.drop('old-round', m.sender);
          return onProposal(m.round, m.sender, value, bytes);
        }
        case RotationalKind.Vote: {
          const root = body.fixed(32);
          const partial = body.bytesField();
          body.end();
          const rootKey = core.addPartial(m.sender, root, partial, bytes);
          if (rootKey !== undefined) core.tryDecide(rootKey, round, announce);
          return;
        }
        case RotationalKind.RoundChange: {
          const has = body.u8();
          let root: string | null = null;
          if (has === 1) {
            const value = body.bytesField();
            const partial = body.bytesField();
            const proposal = body.bytesField();
            body.end();
            checkRelayedProposal(proposal);
            const decoded = core.decodeValue(value);
            if (!decoded) return core.drop('invalid-value', m.sender);
            core.learnValue(decoded.root, decoded.value, value);
            root = core.addPartial(m.sender, decoded.root, partial, bytes) ?? null;
            if (root === null) return;
            core.tryDecide(root, round, announce);
          } else {
            body.end();
          }
          if (m.round < round) return;
          return recordRoundChange(m.round, m.sender, root);
        }
        case RotationalKind.Decided: {
          const value = body.bytesField();
          const signature = body.bytesField();
          body.end();
          return core.acceptDecided(value, signature, m.round, m.sender);
        }
        default:
          return core.drop('malformed', m.sender);
      }
    } catch {
      core.drop('malformed', m.sender);
    }
  }

  return instanceApi(core, {
    begin(ownValue) {
      if (ownValue !== undefined && valueType.isValid(ownValue)) {
        own = { value: ownValue, bytes: valueType.encode(ownValue), root: valueType.signingRoot(ownValue) };
        core.learnValue(own.root, own.value, own.bytes);
      }
      maybePropose();
    },
    dispatch,
    round: () => round,
    enterRound,
    describe() {
      const tail = (b: Uint8Array) => hex(b.subarray(Math.max(0, b.length - 16)));
      const vote = myVote ? `${hex(myVote.root)}/${tail(myVote.proposal)}` : '-';
      const props = [...proposals].map(([r, p]) => `${r}:${keyHex(p.digest)}/${tail(p.message)}`).sort();
      const rcs = [...roundChanges]
        .map(
          ([r, m]) =>
            `${r}:${[...m]
              .map(([from, root]) => `${from}=${root === null ? '-' : keyHex(root)}`)
              .sort()
              .join('.')}`,
        )
        .sort();
      return `r${round} own[${own ? hex(own.root) : '-'}] vote[${vote}] props[${props.join(',')}] rc[${rcs.join(',')}] proposed[${[...proposed].sort().join(',')}] replied[${[...decidedReplies].sort().join(',')}]`;
    },
  });
}

/** Rotational protocol, as the simulator sees it. */
export const rotationalProtocol = {
  id: ROTATIONAL_PROTOCOL,
  name: 'rotational',
  create: createRotationalInstance,
  kinds: {
    proposal: RotationalKind.Proposal,
    vote: RotationalKind.Vote,
    roundChange: RotationalKind.RoundChange,
    decided: RotationalKind.Decided,
  },
  proposalValue: (body: Uint8Array) => new BodyReader(body).bytesField(),
  proposalBody: (value: Uint8Array) => lengthPrefixed(value),
  voteBody: (root: Uint8Array, _value: Uint8Array, partial: Uint8Array) =>
    writeFields(root, lengthPrefixed(partial)),
  emptyRoundChangeBody: () => writeFields({ u8: 0 }),
  ignoredOnceDecided: (kind: number) => kind !== RotationalKind.RoundChange,
  corruptVote: (body: Uint8Array, garbage: Uint8Array) =>
    writeFields(body.subarray(0, 32), lengthPrefixed(garbage)),
} satisfies import('./protocol.ts').ProtocolDescriptor;
