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
export { operatorAddressOf, publicKeyOf } from './p2p/identity.ts';
export { createP2pNetwork } from './p2p/network.ts';
export {
  type Libp2pNetwork,
  type Libp2pPeerStats,
  OPERATOR_PROTOCOL,
  type P2pNetworkInit,
  PENALTY_POINTS,
} from './p2p/options.ts';
export type {
  MessageHandler,
  P2pNetwork,
  P2pPeerStats,
  PeerInfo,
  PeerOffence,
} from './p2p/types.ts';
export { isAttestationAggregator, isSyncCommitteeAggregator, syncSubcommitteesOf } from './selection.ts';
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
