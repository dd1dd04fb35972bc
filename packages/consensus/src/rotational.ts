/**
 * Rotational consensus: one round trip from duty start to a threshold signature.
 *
 * Round r's leader (a seeded permutation of the committee) broadcasts PROPOSAL(value). A member that
 * accepts it signs its partial signature over the value's signing root (after its sign guard records
 * the root durably) and broadcasts it as VOTE: the partial is the vote. Anyone holding t partials on
 * one root with its value combines them, checks the result and decides, broadcasting DECIDED so late
 * members finish at once. On timeout members move to round r+1 and send ROUND-CHANGE with the value
 * they signed (and its partial). The new leader, once it holds t round changes, re-proposes the value
 * with the most verified partials it holds from any message (votes of earlier rounds included), else
 * its own, and sends its justification along: t round changes of the round and the verified partials
 * on that value it holds. A member votes on a proposal of round >= 2 only with a valid justification
 * and only if no other root holds more verified partials in its view (justification.ts); members that
 * signed two roots weigh for neither. f+1 round changes for a higher round pull a member forward.
 * Proposals of leaders in `abstainFrom` (fresh evidence against them) get no vote.
 *
 * Safety: an honest member signs at most one root per instance (the guard); two decisions would need
 * t + t - n > f members that signed both. See docs/consensus.md.
 */

import { equal, hex, key } from './bytes.ts';
import { lengthPrefixed, writeFields } from './codec.ts';
import { Core } from './core.ts';
import { encodeJustification, mostSigned, readJustification, rightChoice } from './justification.ts';
import { leaderOf, sharedLeaderOrder } from './leader.ts';
import type { ProtocolDescriptor } from './protocol.ts';
import { ProposalBook, RoundChangeBook, readRelayedProposal } from './rotational-state.ts';
import type { ConsensusInstance, ConsensusOutput, ConsensusParameters, Decision } from './types.ts';

export const ROTATIONAL_PROTOCOL = 1;
export const RotationalKind = { Proposal: 1, Vote: 2, RoundChange: 3, Decided: 4, Justification: 5 } as const;

export function createRotationalInstance<V, P, S>(
  params: ConsensusParameters<V, P, S>,
): ConsensusInstance<V, S> {
  return new RotationalInstance(params);
}

interface Vote {
  readonly root: Uint8Array;
  readonly value: Uint8Array;
  readonly partial: Uint8Array;
  readonly proposal: Uint8Array;
}

/** One rotational instance at one member (a class: one is created per member and duty). */
class RotationalInstance<V, P, S> implements ConsensusInstance<V, S> {
  private readonly core: Core<V, P, S>;
  private readonly params: ConsensusParameters<V, P, S>;
  private readonly order: readonly number[];
  private readonly maxFuture: number;
  private started = false;
  private current = 1;
  private own: { value: V; bytes: Uint8Array; root: Uint8Array } | undefined;
  private myVote: Vote | undefined;
  private readonly proposals: ProposalBook;
  private readonly roundChanges = new RoundChangeBook();
  /** Rounds >= 2 whose justification this member holds (its own included). */
  private readonly justified: number[] = [];
  /** Rounds whose proposal this member refused as not the right choice (so far). */
  private readonly refused: number[] = [];
  /** Rounds this member proposed in and answered round changes of (few: arrays). */
  private readonly proposed: number[] = [];
  private readonly decidedReplies: number[] = [];

  constructor(params: ConsensusParameters<V, P, S>) {
    this.params = params;
    this.core = new Core(params, ROTATIONAL_PROTOCOL);
    this.proposals = new ProposalBook((evidence) => this.core.event({ type: 'evidence', evidence }));
    this.order = sharedLeaderOrder(params.n, params.instance, params.leaderSeed, params.excludedLeaders);
    this.maxFuture = params.maxFutureRounds ?? 8;
  }

  start(ownValue: V | undefined): ConsensusOutput<V, S> {
    const core = this.core;
    if (this.started) return core.flush();
    this.started = true;
    core.event({ type: 'round', round: 1 });
    core.timer(1);
    const valueType = this.params.valueType;
    if (ownValue !== undefined && valueType.isValid(ownValue)) {
      this.own = {
        value: ownValue,
        bytes: valueType.encode(ownValue),
        root: valueType.signingRoot(ownValue),
      };
      core.learnValue(this.own.root, this.own.value, this.own.bytes);
    }
    this.maybePropose();
    return core.flush();
  }

  handle(bytes: Uint8Array): ConsensusOutput<V, S> {
    this.dispatch(bytes);
    return this.core.flush();
  }

  timeout(r: number): ConsensusOutput<V, S> {
    if (r === this.current && !this.core.decision()) this.enterRound(r + 1);
    return this.core.flush();
  }

  round(): number {
    return this.current;
  }

  decision(): Decision<V, S> | undefined {
    return this.core.decision();
  }

  drops(): Readonly<Record<string, number>> {
    return this.core.drops();
  }

  private announce(d: Decision<V, S>): void {
    const { valueType, scheme } = this.params;
    const value = valueType.encode(d.value);
    const signature = scheme.encodeSignature(d.signature);
    this.core
      .beginMessage(RotationalKind.Decided, this.current, 8 + value.length + signature.length)
      .prefixed(value)
      .prefixed(signature);
    this.core.endMessage();
  }

  /** Decides on a root if t partials and its value are known, and announces the decision. */
  private decideOn(rootKey: string): void {
    const d = this.core.tryDecide(rootKey, this.current);
    if (d !== undefined) this.announce(d);
  }

  /** Votes for a proposal of the current round: signs its root if the sign guard allows. */
  private vote(valueBytes: Uint8Array, value: V, root: Uint8Array, proposal: Uint8Array): void {
    // The guard is the safety rule: it allows the root this member already signed, nothing else.
    if (this.myVote && equal(this.myVote.root, root)) return;
    const round = this.current;
    this.core.guardThen(value, root, () => this.sign(valueBytes, root, proposal, round));
  }

  /** Signs `root` and sends the partial as this member's vote of `round` (the guard has allowed it). */
  private sign(valueBytes: Uint8Array, root: Uint8Array, proposal: Uint8Array, round: number): void {
    const { scheme, self } = this.params;
    const partial = scheme.encodePartial(scheme.signPartial(root));
    this.myVote = { root, value: valueBytes, partial, proposal };
    this.core
      .beginMessage(RotationalKind.Vote, round, root.length + 4 + partial.length)
      .raw(root)
      .prefixed(partial);
    const message = this.core.endMessage();
    const rootKey = this.core.partials.add(self, root, partial, message, true);
    if (rootKey !== undefined) this.decideOn(rootKey);
  }

  private onProposal(r: number, from: number, valueBytes: Uint8Array, message: Uint8Array): void {
    const core = this.core;
    if (from !== leaderOf(this.order, r)) return core.drop('not-leader', from);
    if (!this.proposals.record(r, from, valueBytes, message)) return;
    const decoded = core.decodeValue(valueBytes);
    if (!decoded) return core.drop('invalid-value', from);
    core.learnValue(decoded.root, decoded.value, valueBytes);
    this.voteIfJustified(r);
    this.decideOn(key(decoded.root));
  }

  /**
   * Votes on the stored proposal of round r if r is the current round and the proposal may be
   * signed: round 1 always (the fast path), later rounds with a justification held and the value a
   * right choice in this member's view (the leader's own proposal is its choice).
   */
  private voteIfJustified(r: number): void {
    if (r !== this.current) return;
    const proposal = this.proposals.get(r);
    if (!proposal) return;
    const core = this.core;
    const decoded = core.decodeValue(proposal.value);
    if (!decoded) return;
    const leader = leaderOf(this.order, r);
    if (leader !== this.params.self && this.params.abstainFrom?.has(leader))
      return core.drop('abstained', leader);
    if (r > 1) {
      if (!this.justified.includes(r)) return;
      if (leader !== this.params.self && !rightChoice(core, core.partials.keyOf(decoded.root))) {
        if (this.refused.includes(r)) return;
        this.refused.push(r);
        return core.drop('unjustified', leader);
      }
    }
    this.vote(proposal.value, decoded.value, decoded.root, proposal.message);
  }

  /**
   * When a partial arrives: a proposal of the current round refused as not the right choice is
   * checked again (this member's view may have been behind the leader's: a faulty member's partial
   * on the other value not yet seen, say), and a leader that waits proposes if it now can (the root
   * it waited for may no longer lead: its signers were found to have signed two roots, say).
   */
  private recheck(): void {
    const r = this.current;
    if (this.core.decision()) return;
    if (this.myVote === undefined && this.refused.includes(r)) this.voteIfJustified(r);
    this.maybePropose();
  }

  /** A justification of round r from its leader: held once it shows t round changes of round r. */
  private onJustification(r: number, body: Uint8Array): void {
    const core = this.core;
    if (this.justified.includes(r)) return;
    const read = readJustification(core, body, r, ROTATIONAL_PROTOCOL);
    for (const root of read.roots) this.decideOn(root);
    if (core.decision()) return;
    if (read.roundChanges.length < core.t) return core.drop('unjustified', leaderOf(this.order, r));
    this.justified.push(r);
    // They are round changes like any other: t of them pull a member behind into round r.
    for (const [sender, root, bytes] of read.roundChanges) this.recordRoundChange(r, sender, root, bytes);
    this.voteIfJustified(r);
  }

  /**
   * A proposal relayed inside a round change: acted on if it is of the current round and new,
   * else remembered (voted on when its round comes, see `enterRound`) or, if it conflicts with the
   * one known, turned into equivocation evidence.
   */
  private checkRelayedProposal(bytes: Uint8Array): void {
    const leader = (r: number) => leaderOf(this.order, r);
    const { instance, auth } = this.params;
    const relayed = readRelayedProposal(bytes, instance, this.current + this.maxFuture, leader, auth);
    if (relayed === undefined) return;
    const { round, sender, value } = relayed;
    // A proposal of the current round seen first in a relay is acted on as if received directly
    // (otherwise the direct one, arriving later, would find it "already seen" and go unvoted).
    if (round === this.current && this.proposals.get(round) === undefined)
      return this.onProposal(round, sender, value, bytes);
    this.proposals.record(round, sender, value, bytes);
  }

  private maybePropose(): void {
    const core = this.core;
    const round = this.current;
    if (leaderOf(this.order, round) !== this.params.self || this.proposed.includes(round) || core.decision())
      return;
    let value: Uint8Array | undefined;
    if (round === 1) {
      value = this.own?.bytes;
      if (!value) return;
    } else {
      const rcs = this.roundChanges.get(round);
      if (!rcs || rcs.size < core.t) return;
      const best = mostSigned(core);
      if (best === null) return; // wait for the value of the root most signed
      const chosen = best === undefined ? this.own : core.knownValue(best);
      if (!chosen) return;
      value = chosen.bytes;
      const rootKey = core.partials.keyOf(chosen.root);
      const partials = core.partials.verifiedPartials(rootKey);
      core.send(
        RotationalKind.Justification,
        round,
        encodeJustification(rcs, chosen.root, rootKey, core.t, partials),
      );
      if (!this.justified.includes(round)) this.justified.push(round);
    }
    this.proposed.push(round);
    core.beginMessage(RotationalKind.Proposal, round, 4 + value.length).prefixed(value);
    const message = core.endMessage();
    this.onProposal(round, this.params.self, value, message);
  }

  private enterRound(r: number): void {
    const core = this.core;
    this.current = r;
    core.event({ type: 'round', round: r });
    // The round change carries the signed proposal this member accepted: an equivocating leader's two
    // proposals meet here and become evidence.
    const myVote = this.myVote;
    const body = myVote
      ? writeFields(
          { u8: 1 },
          lengthPrefixed(myVote.value),
          lengthPrefixed(myVote.partial),
          lengthPrefixed(myVote.proposal),
        )
      : writeFields({ u8: 0 });
    const sent = core.send(RotationalKind.RoundChange, r, body);
    this.recordRoundChange(r, this.params.self, myVote ? key(myVote.root) : null, sent);
    core.timer(r);
    // A proposal for this round (and its justification) may have arrived early.
    this.voteIfJustified(r);
    this.maybePropose();
  }

  private recordRoundChange(r: number, from: number, root: string | null, bytes: Uint8Array): void {
    const held = this.roundChanges.add(r, from, root, bytes);
    if (r > this.current && held >= this.core.f + 1 && !this.core.decision()) this.enterRound(r);
    else if (r === this.current) this.maybePropose();
  }

  private dispatch(bytes: Uint8Array): void {
    const core = this.core;
    // After the decision only round changes matter (they get a DECIDED reply): the rest is ignored
    // before any decoding or signature check, which halves the work of a decided member.
    const decided = core.decision();
    if (decided && bytes[2] !== RotationalKind.RoundChange) return;
    // Rounds beyond maxFutureRounds ahead are dropped before anything of them is kept.
    if (!core.open(bytes, this.current + this.maxFuture)) return;
    const { kind, sender } = core;
    const r = core.round;
    if (decided) {
      // Help a member that missed the decision: answer its round change once per round.
      if (kind === RotationalKind.RoundChange && !this.decidedReplies.includes(r)) {
        this.decidedReplies.push(r);
        this.announce(decided);
      }
      return;
    }
    const body = core.reader;
    try {
      switch (kind) {
        case RotationalKind.Proposal: {
          const value = body.bytesField();
          body.end();
          if (r < this.current) return core.drop('old-round', sender);
          return this.onProposal(r, sender, value, bytes);
        }
        case RotationalKind.Vote: {
          const root = core.partials.readRoot(core.reader);
          const partial = body.bytesField();
          body.end();
          const rootKey = core.partials.add(sender, root, partial, bytes);
          if (rootKey === undefined) return;
          this.decideOn(rootKey);
          return this.recheck();
        }
        case RotationalKind.RoundChange: {
          const has = body.u8();
          let root: string | null = null;
          if (has === 1) {
            const value = body.bytesField();
            const partial = body.bytesField();
            const proposal = body.bytesField();
            body.end();
            this.checkRelayedProposal(proposal);
            const decoded = core.decodeValue(value);
            if (!decoded) return core.drop('invalid-value', sender);
            // The value is kept only once its partial is checked (a sender cannot fill memory with values).
            root = core.partials.add(sender, decoded.root, partial, bytes, false, true) ?? null;
            if (root === null) return;
            core.learnValue(decoded.root, decoded.value, value);
            this.decideOn(root);
            this.recheck();
          } else {
            body.end();
          }
          if (r < this.current) return;
          return this.recordRoundChange(r, sender, root, bytes);
        }
        case RotationalKind.Justification: {
          if (r < 2 || sender !== leaderOf(this.order, r)) return core.drop('not-leader', sender);
          if (sender === this.params.self) return; // its own, from before a restart: it justifies anew
          if (r < this.current) return core.drop('old-round', sender);
          return this.onJustification(r, body.rest());
        }
        case RotationalKind.Decided: {
          const value = body.bytesField();
          const signature = body.bytesField();
          body.end();
          return core.acceptDecided(value, signature, r, sender);
        }
        default:
          return core.drop('malformed', sender);
      }
    } catch {
      core.drop('malformed', sender);
    }
  }

  describe(): string {
    const tail = (b: Uint8Array) => hex(b.subarray(Math.max(0, b.length - 16)));
    const myVote = this.myVote;
    const vote = myVote ? `${hex(myVote.root)}/${tail(myVote.proposal)}` : '-';
    const mine = `r${this.current} own[${this.own ? hex(this.own.root) : '-'}] vote[${vote}] props[${this.proposals.describe()}] rc[${this.roundChanges.describe()}] proposed[${[...this.proposed].sort().join(',')}] just[${[...this.justified].sort().join(',')}] replied[${[...this.decidedReplies].sort().join(',')}]`;
    return `${this.started ? 'S' : '-'} ${mine} ${this.core.describe()}`;
  }
}

/** The rotational protocol, as a runtime selects it. */
export const rotationalProtocol: ProtocolDescriptor = Object.freeze({
  id: ROTATIONAL_PROTOCOL,
  name: 'rotational',
  create: createRotationalInstance,
});
