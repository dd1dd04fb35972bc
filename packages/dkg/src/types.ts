/** Inputs, outputs and events of a DKG member. */
import type { PublicKey, RandomSource, SecretKey } from '@diva-dvt/bls-threshold';
import type { CeremonyConfig } from './ceremony.ts';
import type { KeyAgreement } from './encryption.ts';
import type { DkgError } from './errors.ts';
import type { OperatorSigner, SignatureVerifier } from './identity.ts';

export type DkgPhase = 'deal' | 'complain' | 'justify' | 'finish' | 'done' | 'aborted';

export interface CreateDkgMemberParameters {
  readonly config: CeremonyConfig;
  /** This operator's identity key (its address must be a dealer or a recipient). */
  readonly signer: OperatorSigner;
  /** Checks the other participants' signatures. */
  readonly verifier: SignatureVerifier;
  /** This operator's X25519 secret key (needed when it is a recipient). */
  readonly encryptionSecretKey: Uint8Array;
  /** Randomness for polynomials, proofs and batch checks. A seed reproduces a whole ceremony. */
  readonly random: RandomSource;
  /** Resharing: this dealer's current secret shares, one per validator. */
  readonly existingShares?: readonly SecretKey[];
  /**
   * Resharing: this old member lost its shares but is in the new committee. It deals nothing (the
   * others count it an absent dealer) and receives and checks the others' dealings like any recipient.
   */
  readonly recipientOnly?: boolean;
  /** X25519 implementation (default: noble). A runtime may pass a native one; results are identical. */
  readonly keyAgreement?: KeyAgreement;
}

/** A message a DKG member asks the runtime to send. */
export interface DkgOutgoingMessage {
  /** Signed envelope bytes. */
  readonly bytes: Uint8Array;
  /** Recipients by address; undefined means every participant (broadcast). */
  readonly to?: readonly Uint8Array[];
}

export interface ValidatorOutput {
  readonly groupPublicKey: PublicKey;
  /** Public shares of the recipients, in committee order (index i is share index i + 1). */
  readonly publicShares: readonly PublicKey[];
  /** This member's secret share (recipients only; undefined if its own share failed the final check). */
  readonly secretShare: SecretKey | undefined;
}

export interface DkgResult {
  readonly ceremonyId: Uint8Array;
  readonly threshold: number;
  /** This member's 1-based share index, when it is a recipient. */
  readonly shareIndex: number | undefined;
  /** Dealer positions (1-based, dealer order) whose dealings make up the keys. */
  readonly qualified: readonly number[];
  readonly transcriptHash: Uint8Array;
  /** The signed transcript envelopes of the members who certified it (at least t). */
  readonly certificates: readonly Uint8Array[];
  readonly validators: readonly ValidatorOutput[];
}

/** Two validly signed, different dealings from one dealer in one ceremony: self-verifying. */
export interface EquivocationEvidence {
  readonly kind: 'equivocating-dealer';
  readonly dealer: Uint8Array;
  readonly envelopes: readonly [Uint8Array, Uint8Array];
}

export type DkgEvent =
  | { readonly type: 'phase'; readonly phase: DkgPhase }
  | {
      readonly type: 'progress';
      readonly phase: DkgPhase;
      readonly received: number;
      readonly expected: number;
    }
  | { readonly type: 'dropped'; readonly error: DkgError }
  | { readonly type: 'complaint'; readonly dealer: Uint8Array; readonly reason: 'missing' | 'bad-share' }
  | { readonly type: 'disqualified'; readonly dealer: Uint8Array; readonly reason: string }
  | { readonly type: 'evidence'; readonly evidence: EquivocationEvidence }
  | { readonly type: 'transcript-conflict'; readonly signer: Uint8Array }
  | { readonly type: 'finished'; readonly result: DkgResult }
  | { readonly type: 'aborted'; readonly error: DkgError };

export interface DkgOutput {
  readonly messages: readonly DkgOutgoingMessage[];
  readonly events: readonly DkgEvent[];
}

/** One member of a ceremony (see `createDkgMember`). */
export interface DkgMember {
  readonly address: Uint8Array;
  /** 1-based share index when this member receives shares. */
  readonly shareIndex: number | undefined;
  phase(): DkgPhase;
  result(): DkgResult | undefined;
  error(): DkgError | undefined;
  /** Deals (when this member is a dealer). Call once. */
  start(): DkgOutput;
  /** Feeds one received message. Never throws: bad input becomes a `dropped` event. */
  handle(bytes: Uint8Array): DkgOutput;
  /** The runtime's deadline for `phase` passed. Ignored unless the member is in that phase. */
  timeout(phase: DkgPhase): DkgOutput;
}
