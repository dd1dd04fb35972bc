/**
 * What the simulator's Byzantine strategies need to know about a protocol: the kinds of its
 * messages, and how to read and forge the bodies they touch. Not part of any public entry point:
 * an honest runtime has no use for them.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { BodyReader, lengthPrefixed, writeFields } from '../codec.ts';
import { ConsensusError } from '../errors.ts';
import { leaderOrder } from '../leader.ts';
import type { ProtocolDescriptor } from '../protocol.ts';
import { QBFT_PROTOCOL, QbftKind } from '../qbft.ts';
import { qbftLeaderOrder } from '../qbft-leaders.ts';
import { ROTATIONAL_PROTOCOL, RotationalKind } from '../rotational.ts';

export interface ForgingHooks {
  /** Kinds of the leader's proposal, a member's partial-signature vote, round change, and decision. */
  readonly kinds: {
    readonly proposal: number;
    readonly vote: number;
    readonly roundChange: number;
    readonly decided: number;
  };
  /** The members in the order they lead rounds 1, 2, ... of an instance (none excluded). */
  leaders(n: number, instance: Uint8Array, leaderSeed: Uint8Array): readonly number[];
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

export const rotationalForging: ForgingHooks = {
  kinds: {
    proposal: RotationalKind.Proposal,
    vote: RotationalKind.Vote,
    roundChange: RotationalKind.RoundChange,
    decided: RotationalKind.Decided,
  },
  leaders: leaderOrder,
  proposalValue: (body) => new BodyReader(body).bytesField(),
  proposalBody: (value) => lengthPrefixed(value),
  voteBody: (root, _value, partial) => writeFields(root, lengthPrefixed(partial)),
  emptyRoundChangeBody: () => writeFields({ u8: 0 }),
  ignoredOnceDecided: (kind) => kind !== RotationalKind.RoundChange,
  corruptVote: (body, garbage) => writeFields(body.subarray(0, 32), lengthPrefixed(garbage)),
};

export const qbftForging: ForgingHooks = {
  kinds: {
    proposal: QbftKind.PrePrepare,
    vote: QbftKind.Partial,
    roundChange: QbftKind.RoundChange,
    decided: 255,
  },
  leaders: (n, instance) => qbftLeaderOrder(n, instance),
  proposalValue: (body) => new BodyReader(body).bytesField(),
  proposalBody: (value, like) => {
    const reader = new BodyReader(like);
    const old = reader.bytesField();
    return writeFields(lengthPrefixed(value), like.subarray(4 + old.length));
  },
  voteBody: (_root, value, partial) => writeFields(lengthPrefixed(value), lengthPrefixed(partial)),
  emptyRoundChangeBody: () => writeFields(0, lengthPrefixed(new Uint8Array(0)), 0),
  corruptVote: (body, garbage) => {
    const value = new BodyReader(body).bytesField();
    return writeFields(lengthPrefixed(value), lengthPrefixed(garbage));
  },
  extraVotes: (_round, value) => {
    const digest = sha256(value);
    return [
      { kind: QbftKind.Prepare, body: digest },
      { kind: QbftKind.Commit, body: digest },
    ];
  },
};

/** The hooks of a protocol the simulator knows (by its wire id). */
export function forgingHooks(protocol: ProtocolDescriptor): ForgingHooks {
  if (protocol.id === ROTATIONAL_PROTOCOL) return rotationalForging;
  if (protocol.id === QBFT_PROTOCOL) return qbftForging;
  throw new ConsensusError({
    code: 'INVALID_PARAMETER',
    field: 'protocol',
    expected: `the rotational (${ROTATIONAL_PROTOCOL}) or QBFT (${QBFT_PROTOCOL}) protocol`,
    actual: `protocol id ${protocol.id}`,
  });
}
