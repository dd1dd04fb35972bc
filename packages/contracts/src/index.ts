// @diva-dvt/contracts: viem actions (one per file, `(client, parameters)`), watchers for the events the
// operator runtime reacts to (one per file), a deploy function for any EVM node, the DKG-to-chain
// mapping, and the package's error. The ABIs and bytecode of the contracts are the `./abis` entry point.

export {
  type AbandonDrawParameters,
  type AbandonDrawReturnType,
  abandonDraw,
} from './actions/abandon-draw.ts';
export { type CancelDrawParameters, type CancelDrawReturnType, cancelDraw } from './actions/cancel-draw.ts';
export {
  type ClaimRewardsParameters,
  type ClaimRewardsReturnType,
  claimRewards,
} from './actions/claim-rewards.ts';
export {
  type ClaimWithdrawalParameters,
  type ClaimWithdrawalReturnType,
  claimWithdrawal,
} from './actions/claim-withdrawal.ts';
export {
  type BeaconValidator,
  type ConfirmByProofParameters,
  type ConfirmByProofReturnType,
  confirmByProof,
  type ValidatorProof,
} from './actions/confirm-by-proof.ts';
export {
  type ConfirmByQuorumParameters,
  type ConfirmByQuorumReturnType,
  confirmByQuorum,
  type SignWithdrawalCredentialsConfirmationParameters,
  signWithdrawalCredentialsConfirmation,
  withdrawalCredentialsConfirmationTypes,
} from './actions/confirm-by-quorum.ts';
export {
  type DepositCollateralParameters,
  type DepositCollateralReturnType,
  depositCollateral,
} from './actions/deposit-collateral.ts';
export {
  type DrawReplacementParameters,
  type DrawReplacementReturnType,
  drawReplacement,
} from './actions/draw-replacement.ts';
export {
  type DrawReportingCommitteeParameters,
  type DrawReportingCommitteeReturnType,
  drawReportingCommittee,
} from './actions/draw-reporting-committee.ts';
export {
  type EjectUndercollateralizedParameters,
  type EjectUndercollateralizedReturnType,
  ejectUndercollateralized,
} from './actions/eject-undercollateralized.ts';
export type {
  EvidenceAttestationData,
  EvidenceBlockHeader,
  ShareRef,
} from './actions/evidence-types.ts';
export { type ExpireDrawParameters, type ExpireDrawReturnType, expireDraw } from './actions/expire-draw.ts';
export {
  type FinalizeDrawParameters,
  type FinalizeDrawReturnType,
  finalizeDraw,
} from './actions/finalize-draw.ts';
export {
  type FinalizeWithdrawalsParameters,
  type FinalizeWithdrawalsReturnType,
  finalizeWithdrawals,
} from './actions/finalize-withdrawals.ts';
export {
  type GetCommitteeParameters,
  type GetCommitteeReturnType,
  getCommittee,
} from './actions/get-committee.ts';
export {
  type GetOperatorParameters,
  type GetOperatorReturnType,
  getOperator,
} from './actions/get-operator.ts';
export {
  type GetReportingCommitteeParameters,
  type GetReportingCommitteeReturnType,
  getReportingCommittee,
} from './actions/get-reporting-committee.ts';
export {
  type PauseProtocolParameters,
  type PauseProtocolReturnType,
  pauseProtocol,
} from './actions/pause-protocol.ts';
export {
  type ProveDoubleAttestationParameters,
  type ProveDoubleAttestationReturnType,
  proveDoubleAttestation,
} from './actions/prove-double-attestation.ts';
export {
  type ProveDoubleProposalParameters,
  type ProveDoubleProposalReturnType,
  proveDoubleProposal,
} from './actions/prove-double-proposal.ts';
export {
  type LeaderProposal,
  type ProveEquivocatingLeaderParameters,
  type ProveEquivocatingLeaderReturnType,
  proposalTypes,
  proveEquivocatingLeader,
  type SignLeaderProposalParameters,
  signLeaderProposal,
} from './actions/prove-equivocating-leader.ts';
export {
  type RecordReshareParameters,
  type RecordReshareReturnType,
  recordReshare,
  reshareApprovalTypes,
  type SignReshareApprovalParameters,
  signReshareApproval,
} from './actions/record-reshare.ts';
export { type RedrawParameters, type RedrawReturnType, redraw } from './actions/redraw.ts';
export {
  type RegisterOperatorParameters,
  type RegisterOperatorReturnType,
  registerOperator,
} from './actions/register-operator.ts';
export {
  type BalanceReport,
  reportTypes,
  type SignReportParameters,
  type SubmitReportParameters,
  type SubmitReportReturnType,
  signReport,
  submitReport,
} from './actions/report.ts';
export {
  ceremonyFailureTypes,
  type ReportFailedCeremonyParameters,
  type ReportFailedCeremonyReturnType,
  reportFailedCeremony,
  type SignCeremonyFailureParameters,
  signCeremonyFailure,
} from './actions/report-failed-ceremony.ts';
export {
  type RequestDrawParameters,
  type RequestDrawReturnType,
  requestDraw,
} from './actions/request-draw.ts';
export {
  type RequestReportingCommitteeParameters,
  type RequestReportingCommitteeReturnType,
  requestReportingCommittee,
} from './actions/request-reporting-committee.ts';
export {
  type RequestShareRegenerationParameters,
  type RequestShareRegenerationReturnType,
  requestShareRegeneration,
} from './actions/request-share-regeneration.ts';
export {
  type RequestShortfallExitParameters,
  type RequestShortfallExitReturnType,
  requestShortfallExit,
} from './actions/request-shortfall-exit.ts';
export {
  type RequestWithdrawalParameters,
  type RequestWithdrawalReturnType,
  requestWithdrawal,
} from './actions/request-withdrawal.ts';
export { type StakeParameters, type StakeReturnType, stake } from './actions/stake.ts';
export {
  dkgApprovalTypes,
  type MemberApproval,
  type SignDkgApprovalParameters,
  type SubmitDkgResultParameters,
  type SubmitDkgResultReturnType,
  signDkgApproval,
  submitDkgResult,
} from './actions/submit-dkg-result.ts';
export {
  type SyncOperatorParameters,
  type SyncOperatorReturnType,
  syncOperator,
} from './actions/sync-operator.ts';
export {
  type TriggerExitParameters,
  type TriggerExitReturnType,
  triggerExit,
} from './actions/trigger-exit.ts';
export type { ReadClient, WalletClientLike, WatchOptions } from './actions/types.ts';
export {
  type UnpauseProtocolParameters,
  type UnpauseProtocolReturnType,
  unpauseProtocol,
} from './actions/unpause-protocol.ts';
export {
  type UnwrapWdivEthParameters,
  type UnwrapWdivEthReturnType,
  unwrapWdivEth,
} from './actions/unwrap-wdiv-eth.ts';
export {
  type WithdrawCollateralParameters,
  type WithdrawCollateralReturnType,
  withdrawCollateral,
} from './actions/withdraw-collateral.ts';
export {
  type WrapDivEthParameters,
  type WrapDivEthReturnType,
  wrapDivEth,
} from './actions/wrap-div-eth.ts';
export { encodeBlockHeader, getBlockHeaderRlp } from './block-header.ts';
export {
  type BeaconParameters,
  type DeployDivaParameters,
  type DivaDeployment,
  type DivaSettings,
  deployDiva,
  type ReportFrames,
  type WithdrawalCredentialsType,
} from './deploy.ts';
export {
  type CreateDkgResultSubmissionParameters,
  createDkgResultSubmission,
  createEvidencePartialSignature,
  type DkgResultSubmission,
  type EvidencePartialSignature,
  encodeG1ForPrecompile,
  encodeG2ForPrecompile,
  encodePublicShares,
  hashPublicShares,
} from './dkg-result-submission.ts';
export {
  DivaContractsError,
  type DivaContractsErrorCode,
  type DivaContractsErrorDetails,
  isDivaContractsError,
} from './errors.ts';
export {
  type CommitteeDrawnEvent,
  type WatchCommitteeDrawnParameters,
  watchCommitteeDrawn,
} from './watchers/watch-committee-drawn.ts';
export {
  type DkgApprovedEvent,
  type WatchDkgApprovedParameters,
  watchDkgApproved,
} from './watchers/watch-dkg-approved.ts';
export {
  type DkgResultAcceptedEvent,
  type WatchDkgResultAcceptedParameters,
  watchDkgResultAccepted,
} from './watchers/watch-dkg-result-accepted.ts';
export {
  type ExitRequestedEvent,
  type WatchExitRequestedParameters,
  watchExitRequested,
} from './watchers/watch-exit-requested.ts';
export {
  type ReportAcceptedEvent,
  type WatchReportsParameters,
  watchReports,
} from './watchers/watch-reports.ts';
export {
  type ReshareRequestedEvent,
  type WatchReshareRequestedParameters,
  watchReshareRequested,
} from './watchers/watch-reshare-requested.ts';
