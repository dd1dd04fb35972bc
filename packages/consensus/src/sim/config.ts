/**
 * What a simulation is configured with (network model, faults, Byzantine strategies, crypto and
 * verification choices) and what it reports for one instance.
 */

import type { MessageAllocator } from '../allocator.ts';
import type { ProtocolDescriptor } from '../protocol.ts';
import type { Evidence, PartialScheme } from '../types.ts';

export type ByzantineStrategy =
  | 'equivocating-leader'
  | 'silent-leader'
  | 'bad-partials'
  | 'withheld-partials'
  | 'round-change-spam'
  | 'double-vote'
  /** Equivocates whenever it leads and withholds its own partials (the bench's equivocation figures; not drawn at random). */
  | 'equivocating-withholding'
  /**
   * The cross-round split (issue 14, item 3; not drawn at random): leading round 1 it proposes A to
   * half of the honest members only, leading a later round B to the other half only; it withholds
   * its own partials.
   */
  | 'cross-round-split';

export const BYZANTINE_STRATEGIES: readonly ByzantineStrategy[] = [
  'equivocating-leader',
  'silent-leader',
  'bad-partials',
  'withheld-partials',
  'round-change-spam',
  'double-vote',
];

export interface NetworkModel {
  /** Mean one-way latency (ms); `linkLatencyMs` overrides it per link. */
  readonly latencyMs: number;
  /** Standard deviation of a normal jitter added per message (ms). */
  readonly jitterMs?: number;
  readonly linkLatencyMs?: (from: number, to: number) => number;
  /** Probability that a message is lost. */
  readonly loss?: number;
  /** During [startMs, endMs) only members of the same group reach each other. */
  readonly partitions?: readonly { startMs: number; endMs: number; groups: readonly (readonly number[])[] }[];
  /** CPU time a member spends per message handled (ms); members are single-threaded. */
  readonly processingMs?: number;
  /** Members start the duty up to this many ms late (clock skew), uniformly. */
  readonly skewMs?: number;
}

export interface Faults {
  /** Members that crash at `atMs` (0: never start) and, optionally, restart at `restartMs`. */
  readonly crashes?: ReadonlyMap<number, { atMs: number; restartMs?: number }>;
  readonly byzantine?: ReadonlyMap<number, ByzantineStrategy>;
  /**
   * Split-brain attack by the Byzantine double voters (who then also lead): in round 1 they propose
   * value A to every honest member but `minority` (who get B) and send their own A partials only to
   * `victim`, so that the victim alone can decide A; from round 2 on they propose and sign B. With
   * durable sign guards B can never reach t (the A signers refuse it); with broken ones it does.
   */
  readonly splitBrain?: { readonly victim: number; readonly minority: readonly number[] };
  readonly partitions?: NetworkModel['partitions'];
  /**
   * The honest members a `cross-round-split` round-1 leader sends A to (the others get B from a
   * later one); default: the first half of the honest members by index, rounded down.
   */
  readonly crossRoundSideA?: readonly number[];
  /** What `member` sends to honest members is lost until `untilMs` (it still receives everything). */
  readonly mute?: { readonly member: number; readonly untilMs: number };
}

export interface SimulationConfig {
  readonly protocol: ProtocolDescriptor;
  readonly n: number;
  readonly t: number;
  readonly seed: number;
  readonly network: NetworkModel;
  /**
   * Faults, or a function of the instance's leader order (to make given leaders faulty): the
   * rotational permutation (`leaderOrder`, whatever the protocol), and the order in which this
   * protocol's leaders actually take the rounds (the same for rotational; QBFT's round-robin).
   */
  readonly faults?: Faults | ((leaders: readonly number[], protocolLeaders: readonly number[]) => Faults);
  readonly timeouts?: { baseMs: number; growth: number; maxMs: number };
  /** 'broken' lets every honest member sign twice after a restart (used to prove tests can fail). */
  readonly guard?: 'durable' | 'broken';
  /** Members left out of every leader order (`ConsensusParameters.excludedLeaders`). */
  readonly excludedLeaders?: readonly number[];
  /** Leaders honest members abstain from (`ConsensusParameters.abstainFrom`). */
  readonly abstainFrom?: readonly number[];
  /** Honest members' own candidates: all the same (default) or two different ones. */
  readonly candidates?: 'same' | 'split';
  /**
   * A restarted member's candidate: the one it had (default) or the other value (a block built
   * again after a restart almost always differs).
   */
  readonly restartCandidate?: 'same' | 'other';
  /**
   * Whether honest members record their proposals durably before sending them and re-send them
   * after a restart (`persistProposals` with a store that survives restarts); default 'forgotten'.
   */
  readonly proposals?: 'persisted' | 'forgotten';
  /** Stop simulating at this virtual time (ms). */
  readonly horizonMs?: number;
  /**
   * Member j's partial-signature scheme. Default: the stand-in (crypto excluded); a real threshold
   * scheme measures the protocols with their cryptography included.
   */
  readonly scheme?: (member: number) => PartialScheme<unknown, unknown>;
  /**
   * Check every decided signature with the member's scheme (default true; `signaturesValid` is
   * only meaningful with it). Throughput measurements with real crypto may turn it off so the
   * simulator's own checks are not counted as the members' work.
   */
  readonly checkSignatures?: boolean;
  /** Members' `partialVerification` (default 'on-arrival'). */
  readonly partialVerification?: 'on-arrival' | 'on-combine';
  /**
   * Skip delivering to a decided honest member what it ignores unread (default true; the outcome
   * is the same, with less work: a test turns it off to check that).
   */
  readonly skipDeliveriesOnceDecided?: boolean;
  /**
   * Buffers for the members' messages. Default: one allocator per simulation; runs of many
   * simulations (benchmarks) save its setup by passing one for all of them.
   */
  readonly allocator?: MessageAllocator;
  /** Sees every piece of evidence an honest member produces. */
  readonly onEvidence?: (evidence: Evidence) => void;
}

export interface InstanceReport {
  /** Root (hex) each member decided, undefined if it did not. */
  readonly decisions: readonly (string | undefined)[];
  readonly honest: readonly number[];
  /** Time the first honest member held the combined signature (ms from duty start), if any did. */
  readonly firstDecisionMs: number | undefined;
  /** Time every live honest member had decided, if they all did. */
  readonly allDecidedMs: number | undefined;
  /** Highest round any honest member reached before deciding. */
  readonly rounds: number;
  readonly messages: number;
  readonly bytes: number;
  /** No two honest members decided different roots. */
  readonly agreement: boolean;
  /** Every decided signature verifies. */
  readonly signaturesValid: boolean;
  /** Members named by evidence (equivocation, double signing) that honest members produced. */
  readonly accused: readonly number[];
}
