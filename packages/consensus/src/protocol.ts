/**
 * What the simulator (and an adversary in it) needs to know about a protocol: how to create an
 * instance, and how to read and forge its messages of the kinds that Byzantine strategies touch.
 */
import type { ConsensusInstance, ConsensusParameters } from './types.ts';

export interface ProtocolDescriptor {
  readonly id: number;
  readonly name: string;
  create<V, P, S>(params: ConsensusParameters<V, P, S>): ConsensusInstance<V, S>;
  /** Kinds of the leader's proposal, a member's partial-signature vote, round change, and decision. */
  readonly kinds: {
    readonly proposal: number;
    readonly vote: number;
    readonly roundChange: number;
    readonly decided: number;
  };
  /** The value carried by a proposal body. */
  proposalValue(body: Uint8Array): Uint8Array;
  /** A proposal body for `value` (justification, where the protocol needs one, copied from `like`). */
  proposalBody(value: Uint8Array, like: Uint8Array): Uint8Array;
  /** A vote body: the partial of `root` (over `value`). */
  voteBody(root: Uint8Array, value: Uint8Array, partial: Uint8Array): Uint8Array;
  /** A round-change body claiming nothing. */
  emptyRoundChangeBody(): Uint8Array;
  /** Replaces the partial signature inside a vote body (for the bad-partials strategy). */
  corruptVote(body: Uint8Array, garbage: Uint8Array): Uint8Array;
  /**
   * Kinds a decided member ignores unread (its state machine returns nothing for them). The
   * simulator does not deliver those to honest members that have decided (the network still carries
   * and counts them): the outcome is the same, with less work.
   */
  ignoredOnceDecided?(kind: number): boolean;
  /** Messages a double-voting member sends on seeing a proposal of `value` in `round` (besides its partial). */
  extraVotes?(round: number, value: Uint8Array, root: Uint8Array): { kind: number; body: Uint8Array }[];
}
