// How every duty ends, for logs, metrics and tests: published (with the message that went out),
// signed (a voluntary exit asked for without publishing: the message is handed back), not selected
// (aggregation duties whose selection proof did not select the validator), other member publishes
// (a block proposal where the committee decided another member's block: this member took part in
// the decision and the group signature, but only the member that built that block holds its body
// and publishes it — a done duty, not a missed one), late (dropped because its deadline had passed:
// never sent late), or failed (with the error).
import type { AttesterDuty, SyncDuty } from '@diva-dvt/beacon-api';
import type {
  Fork,
  Phase0Attestation,
  SignedAggregateAndProofAny,
  SignedContributionAndProof,
  SignedValidatorRegistrationV1,
  SignedVoluntaryExit,
  SingleAttestation,
  SyncCommitteeMessage,
} from '@diva-dvt/beacon-api/spec';
import type { OperatorError } from './errors.ts';

/** What went out for each duty that publishes something. */
export interface PublishedMessages {
  readonly block: {
    readonly fork: Fork;
    readonly blinded: boolean;
    /** hash_tree_root of the block (the root the chain knows it by). */
    readonly blockRoot: Uint8Array;
    readonly signature: Uint8Array;
  };
  /** Before electra an Attestation with one aggregation bit; from electra on a SingleAttestation. */
  readonly attestation: Phase0Attestation | SingleAttestation;
  readonly aggregate: SignedAggregateAndProofAny;
  readonly 'sync-committee-message': SyncCommitteeMessage;
  readonly 'sync-committee-contribution': SignedContributionAndProof;
  /** `ValidatorClient.exit`: the exit published to the pool. */
  readonly 'voluntary-exit': SignedVoluntaryExit;
  /** Once per epoch with builder registrations enabled: what went to `registerValidator`. */
  readonly 'builder-registration': SignedValidatorRegistrationV1;
}

export type PublishedDutyType = keyof PublishedMessages;

/** The fields every outcome of a duty carries. */
export interface OutcomeBase<D extends PublishedDutyType> {
  readonly duty: D;
  readonly validatorIndex: number;
  readonly slot: number;
  /** Sync committee contributions: the subcommittee. */
  readonly subcommitteeIndex?: number;
  /** When the duty was due (unix ms). */
  readonly dueMs: number;
  /** After this (unix ms) the duty is dropped rather than sent. */
  readonly deadlineMs: number;
}

export type DutyOutcome =
  | {
      [D in PublishedDutyType]:
        | (OutcomeBase<D> & {
            readonly status: 'published';
            readonly message: PublishedMessages[D];
            readonly publishedAtMs: number;
          })
        | (OutcomeBase<D> & {
            /** Signed and handed back, not published, as asked (voluntary exits kept for later). */
            readonly status: 'signed';
            readonly message: PublishedMessages[D];
          })
        | (OutcomeBase<D> & { readonly status: 'not-selected' })
        | (OutcomeBase<D> & {
            readonly status: 'late';
            /** Where the runtime noticed: nothing is signed after the deadline, nothing published. */
            readonly stage: 'before-signing' | 'before-publishing';
            readonly atMs: number;
          })
        | (OutcomeBase<D> & { readonly status: 'failed'; readonly error: OperatorError });
    }[PublishedDutyType]
  | (OutcomeBase<'block'> & {
      /**
       * The committee decided another member's block header (block duties are agreed over the
       * header, whose root is the block root): that member holds the body and publishes it with
       * the group signature (a built-in member itself, a Web3Signer member's validator client once
       * it has the signature). This member publishes nothing: it does not hold that body.
       */
      readonly status: 'other-member-publishes';
      /** The decided block: its root (hash_tree_root of the header) and the group signature. */
      readonly decided: { readonly blockRoot: Uint8Array; readonly signature: Uint8Array };
      /** The root of the block this member's beacon node produced (not signed for publication). */
      readonly ownBlockRoot: Uint8Array;
    });

/** The duties the beacon node gave one validator for one epoch. */
export interface EpochDuties {
  readonly epoch: number;
  readonly validatorIndex: number;
  readonly attester: AttesterDuty | undefined;
  /** Slots this validator proposes in (slot 0, the genesis block, excluded). */
  readonly proposerSlots: readonly number[];
  readonly sync: SyncDuty | undefined;
}

/**
 * Why a duty ended as it did, one code per outcome (logs and the `diva_duties_total` metric):
 * `submitted`, `signed` (not published, as asked), `not-selected`, `other-member-publishes` (a block
 * the committee decided from another member's proposal, published by that member: done, not
 * missed), `late`, `consensus-timeout`, `too-few-partials`,
 * `slashing-protection-refused`, `beacon-node-unavailable` (the node did not answer or refused),
 * `invalid-beacon-response`, `unsupported-fork`, `signer-stopped`, `failed` (anything else).
 * Whether a submitted attestation was then included on chain is reported apart, by
 * `ValidatorClientInit.onInclusion` (`included` with the delay, or `not-included`): a duty is
 * counted once, when it ends here.
 */
export type DutyReason =
  | 'submitted'
  | 'signed'
  | 'not-selected'
  | 'other-member-publishes'
  | 'late'
  | 'consensus-timeout'
  | 'too-few-partials'
  | 'slashing-protection-refused'
  | 'beacon-node-unavailable'
  | 'invalid-beacon-response'
  | 'unsupported-fork'
  | 'signer-stopped'
  | 'failed';

const REASON_BY_CODE: Partial<Record<OperatorError['code'], DutyReason>> = {
  CONSENSUS_TIMEOUT: 'consensus-timeout',
  TOO_FEW_PARTIALS: 'too-few-partials',
  SLASHING_PROTECTION_REFUSED: 'slashing-protection-refused',
  UNEXPECTED_RESPONSE: 'invalid-beacon-response',
  UNSUPPORTED_FORK: 'unsupported-fork',
  CONSENSUS_CLOSED: 'signer-stopped',
  BEACON_NODE_FAILED: 'beacon-node-unavailable',
};

export function dutyReason(outcome: DutyOutcome): DutyReason {
  switch (outcome.status) {
    case 'published':
      return 'submitted';
    case 'signed':
      return 'signed';
    case 'not-selected':
      return 'not-selected';
    case 'other-member-publishes':
      return 'other-member-publishes';
    case 'late':
      return 'late';
    case 'failed': {
      const { error } = outcome;
      const cause = error.cause as { code?: string; name?: string } | undefined;
      // a failed stage wraps what failed underneath: the signer's error, or the beacon node's
      if (error.code === 'DUTY_FAILED') {
        const inner =
          cause !== undefined && typeof cause.code === 'string'
            ? REASON_BY_CODE[cause.code as OperatorError['code']]
            : undefined;
        if (inner !== undefined) return inner;
        if (cause?.name === 'BeaconApiError') return 'beacon-node-unavailable';
        return 'failed';
      }
      return REASON_BY_CODE[error.code] ?? 'failed';
    }
  }
}
