// What the duties ask of the signing pipeline: a group signature over a value the duty fixes (a
// RANDAO reveal, a selection proof: `sign`), or over a value the committee must first agree on
// because beacon nodes differ (attestation data, blocks, aggregates, sync head roots: `decide`).
// The runtime plugs in consensus, slashing protection and the partial-signature exchange behind
// this interface (`createCommitteeSigner`); `createLocalThresholdSigner` (./local-signer.ts) signs
// in-process for dev and tests.
import type { ValueType } from '@diva-dvt/consensus';
import type { SigningDutyType } from './errors.ts';

export type { SigningDutyType } from './errors.ts';

/** Which duty a signing root belongs to: enough for a signer to run consensus and slashing protection. */
export interface SigningDuty {
  readonly type: SigningDutyType;
  readonly validatorIndex: number;
  readonly slot: number;
  /** The signature is useless after this time (unix ms): a signer may give up then. */
  readonly deadlineMs: number;
  /** Sync committee selection proofs and contributions: the subcommittee. */
  readonly subcommitteeIndex?: number;
  /**
   * 32 bytes every committee member reads alike for this duty and nobody knew long before: the
   * validator client passes the attester duties' dependent root of the duty's epoch (the block root
   * that fixed the epoch's shuffling, known about one epoch ahead). Mixed into the consensus leader
   * order; without it the order follows the instance id and group key, computable years ahead.
   */
  readonly leaderSeed?: Uint8Array;
}

/** A value the committee agreed on and the validator's signature over its signing root. */
export interface DecidedValue<V> {
  readonly value: V;
  /** 96 bytes, compressed G2. */
  readonly signature: Uint8Array;
}

export interface ThresholdSigner {
  /** The validator's (group) signature over `signingRoot`, 96 bytes, compressed G2. */
  sign(signingRoot: Uint8Array, duty: SigningDuty): Promise<Uint8Array>;
  /**
   * Agrees with the committee on one value for the duty, starting from this node's own
   * (`ownValue`, from its beacon node), and signs it: the decided value may be another member's.
   * `valueType` encodes, checks (`isValid`: the value fits this duty) and gives the signing root.
   */
  decide<V>(ownValue: V, valueType: ValueType<V>, duty: SigningDuty): Promise<DecidedValue<V>>;
}
