// SSZ types of the Beacon API. Consensus containers come from @lodestar/types (re-exported as
// `ssz`, built for the preset chosen before load; see ./preset.ts); this file only adds the
// API's own response and request containers, which are not consensus objects and so are not in
// @lodestar/types (duties, validator responses, subscriptions, ...). Field names are camelCase in
// values and snake_case in JSON, as in the beacon-APIs specification.
import { BooleanType, ContainerType, ListBasicType, ListCompositeType, type ValueOf } from '@chainsafe/ssz';
import { ACTIVE_PRESET, VALIDATOR_REGISTRY_LIMIT } from '@lodestar/params';
import { ssz, sszTypesFor } from '@lodestar/types';
import { BeaconApiError } from './errors.ts';
import type { Fork } from './forks.ts';
import { presetHint } from './internal/preset-hint.ts';

export { ssz, sszTypesFor };

/** The preset the SSZ types of this process were built for (fixed when @lodestar/params loaded). */
export const activePreset: string = ACTIVE_PRESET;

/**
 * Checks that the SSZ types of this process were built for `preset` (e.g. the node's
 * `PRESET_BASE`); throws PRESET_MISMATCH with both names and how to fix it otherwise.
 */
export function assertPreset(preset: string): void {
  if (activePreset !== preset) {
    throw new BeaconApiError({
      code: 'PRESET_MISMATCH',
      requested: preset,
      active: activePreset,
      hint: presetHint(preset),
    });
  }
}

const eth2 = { jsonCase: 'eth2' } as const;

export const AttesterDuty = new ContainerType(
  {
    pubkey: ssz.BLSPubkey,
    validatorIndex: ssz.ValidatorIndex,
    committeeIndex: ssz.CommitteeIndex,
    committeeLength: ssz.UintNum64,
    committeesAtSlot: ssz.UintNum64,
    validatorCommitteeIndex: ssz.UintNum64,
    slot: ssz.Slot,
  },
  { ...eth2, typeName: 'AttesterDuty' },
);
export const AttesterDuties = new ListCompositeType(AttesterDuty, VALIDATOR_REGISTRY_LIMIT);
export type AttesterDuty = ValueOf<typeof AttesterDuty>;

export const ProposerDuty = new ContainerType(
  { pubkey: ssz.BLSPubkey, validatorIndex: ssz.ValidatorIndex, slot: ssz.Slot },
  { ...eth2, typeName: 'ProposerDuty' },
);
export const ProposerDuties = new ListCompositeType(ProposerDuty, VALIDATOR_REGISTRY_LIMIT);
export type ProposerDuty = ValueOf<typeof ProposerDuty>;

export const SyncDuty = new ContainerType(
  {
    pubkey: ssz.BLSPubkey,
    validatorIndex: ssz.ValidatorIndex,
    validatorSyncCommitteeIndices: new ListBasicType(ssz.CommitteeIndex, 512),
  },
  { ...eth2, typeName: 'SyncDuty' },
);
export const SyncDuties = new ListCompositeType(SyncDuty, VALIDATOR_REGISTRY_LIMIT);
export type SyncDuty = ValueOf<typeof SyncDuty>;

/** Validator statuses of the beacon-APIs (the SSZ form stores the position in this list). */
export const VALIDATOR_STATUSES = [
  'pending_initialized',
  'pending_queued',
  'active_ongoing',
  'active_exiting',
  'active_slashed',
  'exited_unslashed',
  'exited_slashed',
  'withdrawal_possible',
  'withdrawal_done',
] as const;
export type ValidatorStatus = (typeof VALIDATOR_STATUSES)[number];

/**
 * SSZ form of a validator response, used for `application/octet-stream` bodies of the validators
 * endpoints. The status is stored as its position in VALIDATOR_STATUSES (a uint8).
 */
export const ValidatorResponseSsz = new ContainerType(
  { index: ssz.ValidatorIndex, balance: ssz.UintNum64, status: ssz.Uint8, validator: ssz.phase0.Validator },
  { ...eth2, typeName: 'ValidatorResponse' },
);
export const ValidatorResponsesSsz = new ListCompositeType(ValidatorResponseSsz, VALIDATOR_REGISTRY_LIMIT);
export interface ValidatorResponse {
  index: number;
  balance: number;
  status: ValidatorStatus;
  validator: ValueOf<typeof ssz.phase0.Validator>;
}

export const ValidatorBalance = new ContainerType(
  { index: ssz.ValidatorIndex, balance: ssz.UintNum64 },
  { ...eth2, typeName: 'ValidatorBalance' },
);

export const FinalityCheckpoints = new ContainerType(
  {
    previousJustified: ssz.phase0.Checkpoint,
    currentJustified: ssz.phase0.Checkpoint,
    finalized: ssz.phase0.Checkpoint,
  },
  { ...eth2, typeName: 'FinalityCheckpoints' },
);
export type FinalityCheckpoints = ValueOf<typeof FinalityCheckpoints>;

export const BlockHeaderResponse = new ContainerType(
  { root: ssz.Root, canonical: new BooleanType(), header: ssz.phase0.SignedBeaconBlockHeader },
  { ...eth2, typeName: 'BlockHeaderResponse' },
);
export const BlockHeaderResponses = new ListCompositeType(BlockHeaderResponse, 1024);
export type BlockHeaderResponse = ValueOf<typeof BlockHeaderResponse>;

/** One beacon committee of a slot (`GET /eth/v1/beacon/states/{state_id}/committees`). */
export const EpochCommittee = new ContainerType(
  {
    index: ssz.CommitteeIndex,
    slot: ssz.Slot,
    // MAX_VALIDATORS_PER_COMMITTEE (2048) x MAX_COMMITTEES_PER_SLOT (64): electra's bound
    validators: new ListBasicType(ssz.ValidatorIndex, 2048 * 64),
  },
  { ...eth2, typeName: 'EpochCommittee' },
);
// SLOTS_PER_EPOCH x MAX_COMMITTEES_PER_SLOT committees at most in one epoch
export const EpochCommittees = new ListCompositeType(EpochCommittee, 32 * 64);
export type EpochCommittee = ValueOf<typeof EpochCommittee>;

export const BeaconCommitteeSubscription = new ContainerType(
  {
    validatorIndex: ssz.ValidatorIndex,
    committeeIndex: ssz.CommitteeIndex,
    committeesAtSlot: ssz.UintNum64,
    slot: ssz.Slot,
    isAggregator: new BooleanType(),
  },
  { ...eth2, typeName: 'BeaconCommitteeSubscription' },
);
export const BeaconCommitteeSubscriptions = new ListCompositeType(
  BeaconCommitteeSubscription,
  VALIDATOR_REGISTRY_LIMIT,
);
export type BeaconCommitteeSubscription = ValueOf<typeof BeaconCommitteeSubscription>;

export const SyncCommitteeSubscription = new ContainerType(
  {
    validatorIndex: ssz.ValidatorIndex,
    syncCommitteeIndices: new ListBasicType(ssz.CommitteeIndex, 512),
    untilEpoch: ssz.Epoch,
  },
  { ...eth2, typeName: 'SyncCommitteeSubscription' },
);
export const SyncCommitteeSubscriptions = new ListCompositeType(
  SyncCommitteeSubscription,
  VALIDATOR_REGISTRY_LIMIT,
);
export type SyncCommitteeSubscription = ValueOf<typeof SyncCommitteeSubscription>;

export const ProposerPreparation = new ContainerType(
  { validatorIndex: ssz.ValidatorIndex, feeRecipient: ssz.ExecutionAddress },
  { ...eth2, typeName: 'ProposerPreparation' },
);
export const ProposerPreparations = new ListCompositeType(ProposerPreparation, VALIDATOR_REGISTRY_LIMIT);
export type ProposerPreparation = ValueOf<typeof ProposerPreparation>;

export const ValidatorLiveness = new ContainerType(
  { index: ssz.ValidatorIndex, isLive: new BooleanType() },
  { ...eth2, typeName: 'ValidatorLiveness' },
);
export const ValidatorLivenessList = new ListCompositeType(ValidatorLiveness, VALIDATOR_REGISTRY_LIMIT);
export type ValidatorLiveness = ValueOf<typeof ValidatorLiveness>;

export const DepositContract = new ContainerType(
  { chainId: ssz.UintNum64, address: ssz.ExecutionAddress },
  { ...eth2, typeName: 'DepositContract' },
);
export type DepositContract = ValueOf<typeof DepositContract>;

/**
 * A fork schedule entry. Same fields as phase0.Fork, but the epoch of a fork that is not scheduled
 * is 2^64-1 in the API (Lodestar 1.5.1 sends it), which phase0.Fork's number epoch rejects; here it
 * decodes to Infinity.
 */
export const ForkScheduleEntry = new ContainerType(
  { previousVersion: ssz.Version, currentVersion: ssz.Version, epoch: ssz.EpochInf },
  { ...eth2, typeName: 'ForkScheduleEntry' },
);
export const ForkList = new ListCompositeType(ForkScheduleEntry, 64);

export const SignedValidatorRegistrations = new ListCompositeType(
  ssz.bellatrix.SignedValidatorRegistrationV1,
  VALIDATOR_REGISTRY_LIMIT,
);
export const SyncCommitteeMessages = new ListCompositeType(
  ssz.altair.SyncCommitteeMessage,
  VALIDATOR_REGISTRY_LIMIT,
);
export const SignedContributionAndProofs = new ListCompositeType(
  ssz.altair.SignedContributionAndProof,
  VALIDATOR_REGISTRY_LIMIT,
);

// Consensus value types used across the API (values of the @lodestar/types containers).
export type AttestationData = ValueOf<typeof ssz.phase0.AttestationData>;
export type Checkpoint = ValueOf<typeof ssz.phase0.Checkpoint>;
export type Phase0Attestation = ValueOf<typeof ssz.phase0.Attestation>;
export type ElectraAttestation = ValueOf<typeof ssz.electra.Attestation>;
export type SingleAttestation = ValueOf<typeof ssz.electra.SingleAttestation>;
export type Phase0AggregateAndProof = ValueOf<typeof ssz.phase0.AggregateAndProof>;
export type ElectraAggregateAndProof = ValueOf<typeof ssz.electra.AggregateAndProof>;
export type SignedAggregateAndProofAny =
  | ValueOf<typeof ssz.phase0.SignedAggregateAndProof>
  | ValueOf<typeof ssz.electra.SignedAggregateAndProof>;
export type SyncCommitteeMessage = ValueOf<typeof ssz.altair.SyncCommitteeMessage>;
export type SyncCommitteeContribution = ValueOf<typeof ssz.altair.SyncCommitteeContribution>;
export type ContributionAndProof = ValueOf<typeof ssz.altair.ContributionAndProof>;
export type SignedContributionAndProof = ValueOf<typeof ssz.altair.SignedContributionAndProof>;
export type VoluntaryExit = ValueOf<typeof ssz.phase0.VoluntaryExit>;
export type SignedVoluntaryExit = ValueOf<typeof ssz.phase0.SignedVoluntaryExit>;
export type ValidatorRegistrationV1 = ValueOf<typeof ssz.bellatrix.ValidatorRegistrationV1>;
export type SignedValidatorRegistrationV1 = ValueOf<typeof ssz.bellatrix.SignedValidatorRegistrationV1>;
export type BeaconBlockHeader = ValueOf<typeof ssz.phase0.BeaconBlockHeader>;
export type DepositMessage = ValueOf<typeof ssz.phase0.DepositMessage>;
export type DepositData = ValueOf<typeof ssz.phase0.DepositData>;
export type Genesis = ValueOf<typeof ssz.phase0.Genesis>;
export type ForkValue = ValueOf<typeof ssz.phase0.Fork>;

/** A (possibly blinded) beacon block of any fork, as a plain value; its type is `blockType(fork, blinded)`. */
// biome-ignore lint/suspicious/noExplicitAny: the union of every fork's block value is too wide to name
export type AnyBlock = any;

// biome-ignore lint/suspicious/noExplicitAny: types of different forks share no useful supertype
type AnyType = import('@chainsafe/ssz').CompositeType<any, any, any>;

function forkTypes(fork: Fork): Record<string, AnyType | undefined> {
  return sszTypesFor(fork as never) as unknown as Record<string, AnyType | undefined>;
}

function pick(fork: Fork, name: string): AnyType {
  const t = forkTypes(fork)[name];
  if (t === undefined) throw new BeaconApiError({ code: 'UNSUPPORTED_FORK', fork: `${fork} (no ${name})` });
  return t;
}

/** BeaconBlock (or BlindedBeaconBlock from bellatrix on) of `fork`. */
export function blockType(fork: Fork, blinded = false): AnyType {
  return pick(fork, blinded && fork !== 'phase0' && fork !== 'altair' ? 'BlindedBeaconBlock' : 'BeaconBlock');
}

/** SignedBeaconBlock (or SignedBlindedBeaconBlock) of `fork`. */
export function signedBlockType(fork: Fork, blinded = false): AnyType {
  return pick(
    fork,
    blinded && fork !== 'phase0' && fork !== 'altair' ? 'SignedBlindedBeaconBlock' : 'SignedBeaconBlock',
  );
}

/**
 * What a node returns from produce-block (unblinded): BlockContents (block, kzg_proofs, blobs)
 * from deneb on, the bare BeaconBlock before.
 */
export function producedBlockType(fork: Fork, blinded: boolean): AnyType {
  if (blinded) return blockType(fork, true);
  const contents = forkTypes(fork).BlockContents;
  return contents ?? blockType(fork);
}

/** What publish-block takes (unblinded): SignedBlockContents from deneb on, SignedBeaconBlock before. */
export function publishedBlockType(fork: Fork, blinded: boolean): AnyType {
  if (blinded) return signedBlockType(fork, true);
  const contents = forkTypes(fork).SignedBlockContents;
  return contents ?? signedBlockType(fork);
}

/** Attestation container of `fork` (electra changed it: committee_bits, wider aggregation bits). */
export function attestationType(fork: Fork): AnyType {
  return pick(fork, 'Attestation');
}

/** AggregateAndProof / SignedAggregateAndProof of `fork`. */
export function aggregateAndProofType(fork: Fork, signed: boolean): AnyType {
  return pick(fork, signed ? 'SignedAggregateAndProof' : 'AggregateAndProof');
}
