// @diva-dvt/operator: the operator runtime. The validator client performs a distributed
// validator's duties (what to sign and when, the signing roots, the messages and their publication
// through @diva-dvt/beacon-api); the committee signer agrees on each value with the validator's
// committee over p2p and combines the group signature; `OperatorNode` wires the components.

export {
  type ChainAddresses,
  type ChainReader,
  type ChainReaderParameters,
  createChainReader,
} from './chain/chain-reader.ts';
export type {
  ChainDraw,
  ChainEvent,
  ChainOperator,
  ChainState,
  ChainValidator,
  DrawStatus,
} from './chain/chain-state.ts';
export { type ChainClients, type CreateChainClientsParameters, createChainClients } from './chain/clients.ts';
export type { ConfirmationEvent } from './chain/confirmations.ts';
export {
  type ContractsCommitteeSourceParameters,
  createContractsCommitteeSource,
} from './chain/contracts-source.ts';
export {
  beaconExitStatus,
  type ExitEpochTimes,
  type ExitRecord,
  ExitRequests,
  type ExitRequestsParameters,
  exitEpochOfRequest,
  type RequestedExit,
} from './chain/exit-requests.ts';
export type { KeeperAction, KeeperActionEvent } from './chain/keepers.ts';
export {
  ChainLifecycle,
  type ChainLifecycleComponents,
  type ChainLifecycleEvent,
  type ChainLifecycleInit,
  createChainLifecycle,
} from './chain/lifecycle.ts';
export { RETIRED_DIR } from './chain/reshare-retire.ts';
export {
  confirmRecording,
  type RecordingCheck,
  type RecordingClaim,
  type RpcWitness,
  rpcWitnessesOf,
} from './chain/rpc-witnesses.ts';
export { markUnusableKeystore } from './chain/share-regeneration.ts';
export { FRAME_CHAIN } from './chain/statements.ts';
export {
  beaconValidatorIndex,
  depositOrderValidatorIndex,
  type ValidatorIndexLookup,
  type ValidatorToLocate,
} from './chain/validator-index.ts';
export { type Clock, createSystemClock } from './clock.ts';
export {
  type CheckedCommittees,
  type CheckedCommitteesFile,
  committeeDigest,
  createCheckedCommittees,
  openCheckedCommitteesFile,
} from './committee/checked-committees.ts';
export {
  CLUSTER_FILE_VERSION,
  type ClusterFile,
  formatClusterFile,
  type ParseClusterFileOptions,
  parseClusterFile,
  readClusterFile,
  writeClusterFile,
} from './committee/cluster-file.ts';
export {
  type ClusterFileSource,
  type ClusterFileSourceParameters,
  committeeSnapshotOf,
  createClusterFileSource,
} from './committee/cluster-file-source.ts';
export {
  type CreateDevClusterParameters,
  createDevCluster,
  type DevCluster,
  type DevClusterOperator,
  type DevClusterValidator,
} from './committee/dev-cluster.ts';
export type {
  CommitteeMember,
  CommitteeSnapshot,
  CommitteeSource,
  OperatorAddress,
  ValidatorCommittee,
} from './committee/types.ts';
export { DATA_DIR_LOCK_FILE, type DataDirLock, type LockDataDirOptions, lockDataDir } from './data-dir.ts';
export {
  type DkgCeremonyProgress,
  type DkgCeremonyResult,
  type DkgCeremonyStage,
  type RunDkgCeremonyParameters,
  runDkgCeremony,
} from './dkg/ceremony.ts';
export {
  type CeremonyFile,
  DEFAULT_DEPOSIT_AMOUNT_GWEI,
  parseCeremonyFile,
  readCeremonyFile,
} from './dkg/ceremony-file.ts';
export { FRAME_DKG } from './dkg/frames.ts';
export { readIdentityKeystore } from './dkg/identity-keystore.ts';
export {
  type ReshareCeremonyProgress,
  type ReshareCeremonyResult,
  type ReshareCeremonyStage,
  type RunReshareCeremonyParameters,
  runReshareCeremony,
} from './dkg/reshare.ts';
export { parseReshareFile, type ReshareCeremonyFile, readReshareFile } from './dkg/reshare-file.ts';
export { reshareConfirmationRoot } from './dkg/reshare-shares.ts';
export type { ProposerSetting } from './duties/builder-registration.ts';
export {
  aggregateValue,
  attestationDataValue,
  blockHeaderValue,
  contributionValue,
  electraAggregateValue,
  electraAttestationDataValue,
  syncHeadRootValue,
} from './duties/values.ts';
export type { VoluntaryExitOptions } from './duties/voluntary-exit.ts';
export {
  isOperatorError,
  OperatorError,
  type OperatorErrorCode,
  type OperatorErrorDetails,
} from './errors.ts';
export {
  createSqliteEvidenceStore,
  type DoubleSignedPartialKey,
  type EvidenceProof,
  type EvidenceStore,
  type LeaderEquivocation,
  leaderEquivocationOf,
  type SqliteEvidenceStoreOptions,
  type StoredDoubleSignedPartial,
  type StoredLeaderEquivocation,
} from './evidence-store.ts';
export {
  type ChainProposal,
  type ContractsEvidenceChainParameters,
  createContractsEvidenceChain,
  type EvidenceChain,
  type EvidenceSubmission,
  type ShareProof,
  submitLeaderEquivocations,
} from './evidence-submission.ts';
export type { InclusionResult } from './inclusion.ts';
export {
  type AddedKeyShares,
  type KeyShareLoadFailure,
  loadAddedKeyShares,
} from './keys/added-shares.ts';
export {
  generateIdentity,
  identityFromSecretKey,
  type OperatorIdentity,
  operatorAddressOf,
} from './keys/identity.ts';
export {
  type DeletedKeyShare,
  type DeleteKeyShareParameters,
  deleteKeyShare,
  type ImportedKeyShare,
  type ImportShareKeystoreParameters,
  importShareKeystore,
  type KeyShareEntry,
  type KeyShareStatus,
  type ListKeySharesParameters,
  listKeyShares,
} from './keys/key-store.ts';
export {
  IDENTITY_KEYSTORE_FILE,
  type KeystoreKdf,
  type LoadedKeyShare,
  type LoadIdentityParameters,
  type LoadKeySharesParameters,
  loadIdentity,
  loadKeyShares,
  readPasswordFile,
  shareKeystoreFileName,
  type WriteIdentityKeystoreParameters,
  type WriteShareKeystoreParameters,
  writeIdentityKeystore,
  writeShareKeystore,
} from './keys/keystore.ts';
export {
  operatorPasswordFiles,
  type ReadOperatorsFileOptions,
  readOperatorsFile,
} from './keys/operators-file.ts';
export {
  readSealedPassword,
  SEALED_PASSWORD_SCHEME,
  type SealPasswordParameters,
  sealedPasswordFileName,
  sealPassword,
  unsealPassword,
} from './keys/sealed-password.ts';
export {
  type LoadedKeyShares,
  type LoadKeySharesCachedParameters,
  loadKeySharesCached,
} from './keys/share-cache.ts';
export {
  exportInterchangeFile,
  type InterchangeSummary,
  importInterchangeFile,
  type OpenSlashingProtectionFileParameters,
  openSlashingProtectionFile,
  readSlashingProtectionRoot,
} from './keys/slashing-files.ts';
export {
  type SplitKeystoreParameters,
  type SplitKeystoreResult,
  type SplitKeystoreShare,
  splitKeystore,
} from './keys/split.ts';
export {
  createLocalThresholdSigner,
  type LocalThresholdSigner,
  type LocalThresholdSignerParameters,
  type LocalValidatorShares,
} from './local-signer.ts';
export { type LogFields, type Logger, silentLogger } from './logger.ts';
export { OperatorNode } from './node.ts';
export type { OperatorNodeComponents, OperatorNodeInit, OperatorNodeStatus } from './node-types.ts';
export {
  type DutyOutcome,
  type DutyReason,
  dutyReason,
  type EpochDuties,
  type PublishedDutyType,
  type PublishedMessages,
} from './outcome.ts';
export { operatorPeerId, publicKeyOf } from './p2p/identity.ts';
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
  SetPeersOptions,
} from './p2p/types.ts';
export {
  createSqliteProposalStore,
  type SqliteProposalStore,
  type SqliteProposalStoreOptions,
} from './proposal-store.ts';
export { loadRuntimeBls, type RuntimeBls } from './runtime/bls.ts';
export {
  type ClockOffsetSample,
  PeerClockOffsets,
  type PeerClockOffsetsInit,
} from './runtime/clock-offsets.ts';
export {
  CommitteeSigner,
  type CommitteeSignerComponents,
  type CommitteeSignerInit,
  type SignerValidator,
  type SigningEvent,
} from './runtime/committee-signer.ts';
export { dutyInstanceId } from './runtime/frames.ts';
export {
  type ProposalDomain,
  proposalDigest,
  proposalDomainSeparator,
  type SignedLeaderProposal,
} from './runtime/leader-proposal.ts';
export { isAttestationAggregator, isSyncCommitteeAggregator, syncSubcommitteesOf } from './selection.ts';
export {
  type DoubleSignedPartial,
  type DoubleSignedPartialContext,
  doubleSignedPartialOf,
  type SignedShareValue,
  unprovableReason,
} from './share-evidence.ts';
export {
  type PartialEvidenceSubmission,
  submitDoubleSignedPartials,
} from './share-evidence-submission.ts';
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
export type { DecidedValue, SigningDuty, SigningDutyType, ThresholdSigner } from './signer.ts';
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
export {
  type CommitteeDecidedPublishEvent,
  type CommitteeWeb3SignerBackend,
  type CommitteeWeb3SignerBackendOptions,
  type CommitteeWeb3SignerValidator,
  createCommitteeWeb3SignerBackend,
} from './web3signer/committee-backend.ts';
export {
  type BeaconDecidedPublisherOptions,
  type CommitteeDecidedPublisher,
  createBeaconDecidedPublisher,
  type DecidedMessage,
} from './web3signer/committee-publish.ts';
export {
  checkFeeRecipientProof,
  type FeeRecipientProofFault,
  feeRecipientGindex,
  isValidMerkleBranch,
} from './web3signer/fee-recipient.ts';
export {
  createLocalWeb3SignerBackend,
  type LocalWeb3SignerBackend,
  type LocalWeb3SignerBackendParameters,
} from './web3signer/local-backend.ts';
export { type ParsedSignBody, parseSignBody } from './web3signer/parse.ts';
export {
  createWeb3SignerServer,
  type Web3SignerFeeRecipients,
  type Web3SignerReloadState,
  type Web3SignerReloadStatus,
  type Web3SignerServer,
  type Web3SignerServerOptions,
} from './web3signer/server.ts';
export {
  forkInfoDomain,
  type Web3SignerSigningRootOptions,
  web3SignerSigningRoot,
} from './web3signer/signing-root.ts';
export {
  type BlockPropertyProof,
  WEB3SIGNER_REQUEST_TYPES,
  type Web3SignerBackend,
  type Web3SignerForkInfo,
  type Web3SignerRefusal,
  type Web3SignerReloadReport,
  type Web3SignerRequest,
  type Web3SignerRequestType,
  type Web3SignerSignRequest,
  type Web3SignerSignResult,
} from './web3signer/types.ts';
