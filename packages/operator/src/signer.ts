// What the duties ask of the signing pipeline: one group signature over a signing root. The
// runtime plugs in consensus, slashing protection and the partial-signature exchange behind this
// interface; `createLocalThresholdSigner` (./local-signer.ts) signs in-process for dev and tests.
import type { AttestationData } from '@diva-dvt/beacon-api/spec';
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
  /** Attestations: the data signed (source and target epochs for slashing protection). */
  readonly attestationData?: AttestationData;
}

export interface ThresholdSigner {
  /** The validator's (group) signature over `signingRoot`, 96 bytes, compressed G2. */
  sign(signingRoot: Uint8Array, duty: SigningDuty): Promise<Uint8Array>;
}
