// Validator namespace: duties, attestation data, aggregates, subscriptions, sync committee
// contributions, proposer preparation, builder registration, liveness (block production is in
// ./produce-block.ts).
import { ListBasicType, ListCompositeType } from '@chainsafe/ssz';
import { VALIDATOR_REGISTRY_LIMIT } from '@lodestar/params';
import { type Fork, forkAtLeast } from '../forks.ts';
import { bytesToHex, fromJsonStrict } from '../internal/json.ts';
import {
  type ApiResponse,
  dataCodec,
  type Endpoint,
  emptyCodec,
  encodeBody,
  forkedListPublish,
  listBody,
  optionalQuery,
  type ParsedRequest,
  param,
  type ResponseCodec,
  uintParam,
} from '../route.ts';
import {
  type AttestationData,
  AttesterDuties,
  type AttesterDuty,
  aggregateAndProofType,
  attestationType,
  type BeaconCommitteeSubscription,
  BeaconCommitteeSubscriptions,
  ProposerDuties,
  type ProposerDuty,
  type ProposerPreparation,
  ProposerPreparations,
  type SignedAggregateAndProofAny,
  type SignedContributionAndProof,
  SignedContributionAndProofs,
  SignedValidatorRegistrations,
  type SignedValidatorRegistrationV1,
  type SyncCommitteeContribution,
  type SyncCommitteeSubscription,
  SyncCommitteeSubscriptions,
  SyncDuties,
  type SyncDuty,
  ssz,
  type ValidatorLiveness,
  ValidatorLivenessList,
} from '../types.ts';

// ---- duties ----

export interface DutiesArgs {
  epoch: number;
  indices: readonly number[];
}

const indexList = new ListBasicType(ssz.ValidatorIndex, VALIDATOR_REGISTRY_LIMIT);

function postDuties<T>(
  name: string,
  path: string,
  codec: ResponseCodec<ApiResponse<T>>,
): Endpoint<DutiesArgs, ApiResponse<T>> {
  return {
    name,
    kind: 'read',
    routes: [
      {
        id: `${name}.v1`,
        method: 'POST',
        path,
        reqSsz: false,
        writeReq: (a) => ({ params: { epoch: a.epoch }, body: { json: a.indices.map(String) } }),
        parseReq: (r) => ({ epoch: uintParam(r, 'epoch'), indices: listBody(indexList, r) }),
        resp: codec,
      },
    ],
  };
}

export const getAttesterDuties = postDuties<AttesterDuty[]>(
  'getAttesterDuties',
  '/eth/v1/validator/duties/attester/{epoch}',
  dataCodec(AttesterDuties, { meta: ['dependentRoot', 'executionOptimistic'] }),
);

export const getSyncCommitteeDuties = postDuties<SyncDuty[]>(
  'getSyncCommitteeDuties',
  '/eth/v1/validator/duties/sync/{epoch}',
  dataCodec(SyncDuties, { meta: ['executionOptimistic'] }),
);

export const getLiveness = postDuties<ValidatorLiveness[]>(
  'getLiveness',
  '/eth/v1/validator/liveness/{epoch}',
  dataCodec(ValidatorLivenessList, { ssz: false }),
);

export const getProposerDuties: Endpoint<{ epoch: number }, ApiResponse<ProposerDuty[]>> = {
  name: 'getProposerDuties',
  kind: 'read',
  routes: [
    {
      id: 'getProposerDuties.v1',
      method: 'GET',
      path: '/eth/v1/validator/duties/proposer/{epoch}',
      reqSsz: false,
      writeReq: (a) => ({ params: { epoch: a.epoch } }),
      parseReq: (r) => ({ epoch: uintParam(r, 'epoch') }),
      resp: dataCodec(ProposerDuties, { meta: ['dependentRoot', 'executionOptimistic'] }),
    },
  ],
};

// ---- attestation data and aggregates ----

export const produceAttestationData: Endpoint<
  { slot: number; committeeIndex: number },
  ApiResponse<AttestationData>
> = {
  name: 'produceAttestationData',
  kind: 'read',
  routes: [
    {
      id: 'produceAttestationData.v1',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v1/validator/attestation_data',
      reqSsz: false,
      writeReq: (a) => ({ query: { slot: a.slot, committee_index: a.committeeIndex } }),
      parseReq: (r) => ({ slot: uintParam(r, 'slot'), committeeIndex: uintParam(r, 'committee_index') }),
      resp: dataCodec(ssz.phase0.AttestationData),
    },
  ],
};

export interface AggregateArgs {
  slot: number;
  attestationDataRoot: Uint8Array;
  /** Required by v2 (electra aggregates are per committee); ignored by v1. */
  committeeIndex: number;
}

// v1 has no committee_index (older nodes may reject unknown query parameters).
const aggregateArgs = (v2: boolean) => ({
  writeReq: (a: AggregateArgs) => ({
    query: {
      slot: a.slot,
      attestation_data_root: bytesToHex(a.attestationDataRoot),
      committee_index: v2 ? a.committeeIndex : undefined,
    },
  }),
  parseReq: (r: ParsedRequest): AggregateArgs => ({
    slot: uintParam(r, 'slot'),
    attestationDataRoot: fromJsonStrict(ssz.Root, param(r, 'attestation_data_root'), 'attestation_data_root'),
    committeeIndex: optionalQuery(r, 'committee_index') !== undefined ? uintParam(r, 'committee_index') : 0,
  }),
});

// biome-ignore lint/suspicious/noExplicitAny: attestations of different forks
type AnyAttestation = any;

export const getAggregatedAttestation: Endpoint<AggregateArgs, ApiResponse<AnyAttestation>> = {
  name: 'getAggregatedAttestation',
  kind: 'read',
  routes: [
    {
      id: 'getAggregatedAttestation.v2',
      sszInSpec: { response: true },
      method: 'GET',
      path: '/eth/v2/validator/aggregate_attestation',
      reqSsz: false,
      ...aggregateArgs(true),
      resp: dataCodec((f) => attestationType(f), { meta: ['version'] }),
    },
    {
      id: 'getAggregatedAttestation.v1',
      method: 'GET',
      path: '/eth/v1/validator/aggregate_attestation',
      reqSsz: false,
      ...aggregateArgs(false),
      resp: dataCodec(ssz.phase0.Attestation),
    },
  ],
};

export interface PublishAggregatesArgs {
  fork: Fork;
  data: SignedAggregateAndProofAny[];
}

const aggregateList = (f: Fork) =>
  new ListCompositeType(
    aggregateAndProofType(forkAtLeast(f, 'electra') ? 'electra' : 'phase0', true),
    VALIDATOR_REGISTRY_LIMIT,
  );
const aggregateLists = { pre: aggregateList('phase0'), post: aggregateList('electra') };
const aggregatesFor = (f: Fork) => (forkAtLeast(f, 'electra') ? aggregateLists.post : aggregateLists.pre);

export const publishAggregateAndProofs: Endpoint<PublishAggregatesArgs, void> = forkedListPublish({
  name: 'publishAggregateAndProofs',
  v2Path: '/eth/v2/validator/aggregate_and_proofs',
  v1Path: '/eth/v1/validator/aggregate_and_proofs',
  listFor: aggregatesFor,
});

// ---- subscriptions, preparation, registration ----

function postList<T>(
  name: string,
  path: string,
  listType: ListCompositeType<never>,
  sszRequestInSpec = false,
): Endpoint<{ data: T[] }, void> {
  return {
    name,
    kind: 'publish',
    routes: [
      {
        id: `${name}.v1`,
        ...(sszRequestInSpec ? { sszInSpec: { request: true } } : {}),
        method: 'POST',
        path,
        reqSsz: true,
        writeReq: (a, f) => ({ body: encodeBody(listType as never, a.data as never, f) }),
        parseReq: (r) => ({ data: listBody(listType as never, r) as T[] }),
        resp: emptyCodec,
      },
    ],
  };
}

export const prepareBeaconCommitteeSubnet = postList<BeaconCommitteeSubscription>(
  'prepareBeaconCommitteeSubnet',
  '/eth/v1/validator/beacon_committee_subscriptions',
  BeaconCommitteeSubscriptions as never,
);
export const prepareSyncCommitteeSubnets = postList<SyncCommitteeSubscription>(
  'prepareSyncCommitteeSubnets',
  '/eth/v1/validator/sync_committee_subscriptions',
  SyncCommitteeSubscriptions as never,
);
export const publishContributionAndProofs = postList<SignedContributionAndProof>(
  'publishContributionAndProofs',
  '/eth/v1/validator/contribution_and_proofs',
  SignedContributionAndProofs as never,
);
export const prepareBeaconProposer = postList<ProposerPreparation>(
  'prepareBeaconProposer',
  '/eth/v1/validator/prepare_beacon_proposer',
  ProposerPreparations as never,
);
export const registerValidator = postList<SignedValidatorRegistrationV1>(
  'registerValidator',
  '/eth/v1/validator/register_validator',
  SignedValidatorRegistrations as never,
  true,
);

export const produceSyncCommitteeContribution: Endpoint<
  { slot: number; subcommitteeIndex: number; beaconBlockRoot: Uint8Array },
  ApiResponse<SyncCommitteeContribution>
> = {
  name: 'produceSyncCommitteeContribution',
  kind: 'read',
  routes: [
    {
      id: 'produceSyncCommitteeContribution.v1',
      method: 'GET',
      path: '/eth/v1/validator/sync_committee_contribution',
      reqSsz: false,
      writeReq: (a) => ({
        query: {
          slot: a.slot,
          subcommittee_index: a.subcommitteeIndex,
          beacon_block_root: bytesToHex(a.beaconBlockRoot),
        },
      }),
      parseReq: (r) => ({
        slot: uintParam(r, 'slot'),
        subcommitteeIndex: uintParam(r, 'subcommittee_index'),
        beaconBlockRoot: fromJsonStrict(ssz.Root, param(r, 'beacon_block_root'), 'beacon_block_root'),
      }),
      resp: dataCodec(ssz.altair.SyncCommitteeContribution),
    },
  ],
};
