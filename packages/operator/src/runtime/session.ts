// What the committee signer's two kinds of session share: the validator entry (its committee,
// this node's scheme, who is who), the session a received message is routed to, and the host
// services a session uses (broadcast, drops, events, the duty's deadline, registration).
import type { PublicKey, SecretKeyShare, ThresholdScheme } from '@diva-dvt/bls-threshold';
import type { Evidence } from '@diva-dvt/consensus';
import type { Clock } from '../clock.ts';
import type { OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { PeerOffence } from '../p2p/types.ts';
import type { SigningDuty } from '../signer.ts';
import type { ReceivedCombined, VerifiedSignatures } from './same-root-batch.ts';

/** A validator this node signs for: its committee and this node's share of its key. */
export interface SignerValidator {
  readonly validatorIndex: number;
  readonly committee: ValidatorCommittee;
  readonly share: SecretKeyShare;
}

/** What happened to a signing request, for metrics and logs. */
export type SigningEvent =
  | {
      readonly type: 'decided';
      readonly duty: SigningDuty;
      readonly round: number;
      readonly latencyMs: number;
      /** Whether the decided value is this node's own. */
      readonly own: boolean;
    }
  | { readonly type: 'combined'; readonly duty: SigningDuty; readonly latencyMs: number }
  | { readonly type: 'timeout'; readonly duty: SigningDuty; readonly stage: 'consensus' | 'partials' }
  | { readonly type: 'evidence'; readonly duty: SigningDuty; readonly evidence: Evidence }
  | { readonly type: 'dropped'; readonly from: OperatorAddress; readonly reason: string };

/** A served validator as the signer holds it. */
export interface ValidatorEntry {
  readonly validator: SignerValidator;
  /** This node's scheme, consulting `verified` before checking a group signature. */
  readonly scheme: ThresholdScheme;
  readonly groupKey: PublicKey;
  /** Group signatures a same-root batch verified (./same-root-batch.ts). */
  readonly verified: VerifiedSignatures;
  /** Member index (share index) by operator address. */
  readonly memberOf: ReadonlyMap<OperatorAddress, number>;
  /** Operator address by member index - 1. */
  readonly addresses: readonly OperatorAddress[];
  readonly publicKeys: readonly Uint8Array[];
}

/** One signing request in flight, to which its instance's messages are routed. */
export interface Session {
  readonly entry: ValidatorEntry;
  readonly duty: SigningDuty;
  readonly startedMs: number;
  /** Feeds one message from `member` (already checked to be a member of the committee). */
  deliver(member: number, bytes: Uint8Array): void;
  /** The group signature a message carries (DECIDED, COMBINED) while this session still needs one. */
  combinedOf(bytes: Uint8Array): ReceivedCombined | undefined;
  close(): void;
}

/** The services of the committee signer that a session uses. */
export interface SessionHost {
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Sends `frame` to every other member of the entry's committee; with `twin` (fault injection only),
   * `twin` to the second half of them instead.
   */
  broadcast(entry: ValidatorEntry, frame: Uint8Array, twin?: Uint8Array): void;
  /** Counts a dropped message and, with an offence, reports its sender to the network. */
  drop(from: OperatorAddress, reason: string, offence: PeerOffence | undefined): void;
  event(event: SigningEvent): void;
  /** Calls `onExpire` at the duty's deadline unless the returned function is called first. */
  deadline(duty: SigningDuty, onExpire: () => void): () => void;
  /** Registers the session under its instance id (feeding what waited for it) until it settles. */
  open(id: Uint8Array, session: Session, settled: Promise<unknown>): void;
}

/** A promise and the function that resolves it. */
export function settledSignal(): { readonly settled: Promise<void>; readonly markSettled: () => void } {
  let markSettled: () => void = () => {};
  const settled = new Promise<void>((done) => {
    markSettled = done;
  });
  return { settled, markSettled };
}
