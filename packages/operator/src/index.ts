// @diva-dvt/operator: the operator runtime. Today: the validator client that performs a
// distributed validator's duties (what to sign and when, the signing roots, the messages and their
// publication through @diva-dvt/beacon-api) with an injected threshold signer, clock and logger.
export { type Clock, createSystemClock } from './clock.ts';
export {
  isOperatorError,
  OperatorError,
  type OperatorErrorCode,
  type OperatorErrorDetails,
} from './errors.ts';
export {
  createLocalThresholdSigner,
  type LocalThresholdSigner,
  type LocalThresholdSignerParameters,
  type LocalValidatorShares,
} from './local-signer.ts';
export { type LogFields, type Logger, silentLogger } from './logger.ts';
export type { DutyOutcome, EpochDuties, PublishedDutyType, PublishedMessages } from './outcome.ts';
export {
  createSqliteProposalStore,
  type SqliteProposalStore,
  type SqliteProposalStoreOptions,
} from './proposal-store.ts';
export { isAttestationAggregator, isSyncCommitteeAggregator, syncSubcommitteesOf } from './selection.ts';
export {
  type BlockGuardOptions,
  createAttestationGuard,
  createBlockGuard,
  createInstanceGuard,
  type InstanceGuardOptions,
  type InstanceSignGuard,
  type SignGuardOptions,
  type SignGuardRefusal,
  type SignGuardRefusalReason,
} from './sign-guard.ts';
export type { SigningDuty, SigningDutyType, ThresholdSigner } from './signer.ts';
export {
  type AttestationSigningRequest,
  type BlockSigningRequest,
  createSlashingProtection,
  type SlashingCheckResult,
  type SlashingInterchange,
  SlashingProtection,
  type SlashingProtectionParameters,
  type SlashingRefusalReason,
} from './slashing-protection.ts';
export { createSlotTimes, type SlotTimes } from './slot-times.ts';
export { parseValidatorSpec, type ValidatorSpec } from './spec.ts';
export {
  type DueTimesBps,
  ValidatorClient,
  type ValidatorClientComponents,
  type ValidatorClientInit,
} from './validator-client.ts';
