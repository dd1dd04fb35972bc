// Sample arguments and results for every endpoint, random but valid, per fork where the
// endpoint's shapes depend on the fork.
import { ListCompositeType, type Type } from '@chainsafe/ssz';
import type { EndpointName } from '../../src/index.ts';
import {
  aggregateAndProofType,
  attestationType,
  FORKS,
  type Fork,
  forkAtLeast,
  producedBlockType,
  publishedBlockType,
  signedBlockType,
  ssz,
} from '../../src/spec.ts';
import {
  AttesterDuties,
  BeaconCommitteeSubscriptions,
  BlockHeaderResponse,
  BlockHeaderResponses,
  DepositContract,
  EpochCommittees,
  FinalityCheckpoints,
  ForkList,
  ProposerDuties,
  ProposerPreparations,
  SignedContributionAndProofs,
  SignedValidatorRegistrations,
  SyncCommitteeMessages,
  SyncCommitteeSubscriptions,
  SyncDuties,
  VALIDATOR_STATUSES,
  ValidatorLivenessList,
} from '../../src/types.ts';
import { randomValue } from './random.ts';

export interface Sample {
  args: unknown;
  ret: unknown;
}

type Gen = (fork: Fork, rng: () => number) => Sample;

const r = <T>(t: Type<T>, rng: () => number) => randomValue(t, rng);
const list = <T>(t: Type<T>, rng: () => number, n = 3) =>
  Array.from({ length: n }, () => randomValue(t, rng));
// biome-ignore lint/suspicious/noExplicitAny: ssz types of any fork
const anyList = (t: any, rng: () => number, n = 2) =>
  Array.from({ length: n }, () => randomValue(t as Type<unknown>, rng));

const root = (rng: () => number) => r(ssz.Root, rng);

/** Forks an endpoint's shapes vary over; others are sampled once. */
export const FORK_DEPENDENT: ReadonlySet<EndpointName> = new Set([
  'getBlock',
  'getBlindedBlock',
  'publishBlock',
  'publishBlindedBlock',
  'getPoolAttestations',
  'submitPoolAttestations',
  'getAggregatedAttestation',
  'publishAggregateAndProofs',
  'produceBlock',
  'produceBlindedBlock',
]);

export const BLINDED_FORKS: readonly Fork[] = FORKS.filter((f) => forkAtLeast(f, 'bellatrix'));

export const samples: Record<EndpointName, Gen> = {
  getHealth: () => ({ args: undefined, ret: { status: 206 } }),
  getSyncingStatus: (_f, rng) => ({
    args: undefined,
    ret: {
      data: {
        headSlot: rng() % 1e6,
        syncDistance: rng() % 10,
        isSyncing: false,
        isOptimistic: true,
        elOffline: false,
      },
      meta: {},
    },
  }),
  getNodeVersion: () => ({ args: undefined, ret: { data: { version: 'Lodestar/v1.5.1/test' }, meta: {} } }),
  getNodeIdentity: () => ({
    args: undefined,
    ret: {
      data: {
        peerId: '16Uiu2HAmTestPeer',
        enr: 'enr:-test',
        p2pAddresses: ['/ip4/127.0.0.1/tcp/9000'],
        discoveryAddresses: [],
        metadata: { seqNumber: '7', attnets: '0x0000000000000001', syncnets: '0x0f' },
      },
      meta: {},
    },
  }),
  getGenesis: (_f, rng) => ({ args: undefined, ret: { data: r(ssz.phase0.Genesis, rng), meta: {} } }),
  getStateFork: (_f, rng) => ({
    args: { stateId: 'head' },
    ret: { data: r(ssz.phase0.Fork, rng), meta: { executionOptimistic: false, finalized: true } },
  }),
  getStateFinalityCheckpoints: (_f, rng) => ({
    args: { stateId: 'finalized' },
    ret: { data: r(FinalityCheckpoints, rng), meta: { executionOptimistic: true, finalized: false } },
  }),
  getStateValidators: (_f, rng) => ({
    args: { stateId: 'head', ids: ['1', `0x${'ab'.repeat(48)}`], statuses: ['active_ongoing'] },
    ret: {
      data: Array.from({ length: 3 }, (_, i) => ({
        index: rng() % 1e6,
        balance: rng(),
        status: VALIDATOR_STATUSES[(rng() + i) % VALIDATOR_STATUSES.length],
        validator: { ...r(ssz.phase0.Validator, rng), exitEpoch: Number.POSITIVE_INFINITY },
      })),
      meta: { executionOptimistic: false, finalized: false },
    },
  }),
  getEpochCommittees: (_f, rng) => ({
    args: { stateId: 'head', epoch: 3, slot: 97 },
    ret: { data: r(EpochCommittees, rng), meta: { executionOptimistic: false, finalized: false } },
  }),
  getBlockHeaders: (_f, rng) => ({
    args: { slot: 12, parentRoot: root(rng) },
    ret: { data: r(BlockHeaderResponses, rng), meta: { executionOptimistic: false, finalized: false } },
  }),
  getBlockHeader: (_f, rng) => ({
    args: { blockId: 'head' },
    ret: { data: r(BlockHeaderResponse, rng), meta: { executionOptimistic: false, finalized: true } },
  }),
  getBlock: (f, rng) => ({
    args: { blockId: `0x${'cd'.repeat(32)}` },
    ret: {
      data: r(signedBlockType(f), rng),
      meta: { version: f, executionOptimistic: false, finalized: false },
    },
  }),
  getBlindedBlock: (f, rng) => ({
    args: { blockId: '42' },
    ret: {
      data: r(signedBlockType(f, true), rng),
      meta: { version: f, executionOptimistic: false, finalized: true },
    },
  }),
  publishBlock: (f, rng) => ({
    args: { fork: f, data: r(publishedBlockType(f, false), rng), broadcastValidation: 'gossip' },
    ret: undefined,
  }),
  publishBlindedBlock: (f, rng) => ({
    args: { fork: f, data: r(publishedBlockType(f, true), rng) },
    ret: undefined,
  }),
  getPoolAttestations: (f, rng) => ({
    args: { slot: 5, committeeIndex: 1 },
    ret: { data: anyList(attestationType(f), rng), meta: { version: f } },
  }),
  submitPoolAttestations: (f, rng) => ({
    args: {
      fork: f,
      data: forkAtLeast(f, 'electra')
        ? list(ssz.electra.SingleAttestation, rng)
        : list(ssz.phase0.Attestation, rng),
    },
    ret: undefined,
  }),
  submitPoolSyncCommitteeSignatures: (_f, rng) => ({
    args: { data: r(SyncCommitteeMessages, rng) },
    ret: undefined,
  }),
  submitPoolVoluntaryExit: (_f, rng) => ({
    args: { data: r(ssz.phase0.SignedVoluntaryExit, rng) },
    ret: undefined,
  }),
  getPoolVoluntaryExits: (_f, rng) => ({
    args: undefined,
    ret: { data: list(ssz.phase0.SignedVoluntaryExit, rng), meta: {} },
  }),
  getSpec: () => ({
    args: undefined,
    ret: {
      data: { SECONDS_PER_SLOT: '12', GENESIS_FORK_VERSION: '0x00000000', CONFIG_NAME: 'mainnet' },
      meta: {},
    },
  }),
  getForkSchedule: (_f, rng) => ({ args: undefined, ret: { data: r(ForkList, rng), meta: {} } }),
  getDepositContract: (_f, rng) => ({ args: undefined, ret: { data: r(DepositContract, rng), meta: {} } }),
  getAttesterDuties: (_f, rng) => ({
    args: { epoch: 7, indices: [1, 2, 3] },
    ret: { data: r(AttesterDuties, rng), meta: { dependentRoot: root(rng), executionOptimistic: false } },
  }),
  getProposerDuties: (_f, rng) => ({
    args: { epoch: 3 },
    ret: { data: r(ProposerDuties, rng), meta: { dependentRoot: root(rng), executionOptimistic: true } },
  }),
  getSyncCommitteeDuties: (_f, rng) => ({
    args: { epoch: 9, indices: [4] },
    ret: { data: r(SyncDuties, rng), meta: { executionOptimistic: false } },
  }),
  produceAttestationData: (_f, rng) => ({
    args: { slot: 100, committeeIndex: 2 },
    ret: { data: r(ssz.phase0.AttestationData, rng), meta: {} },
  }),
  getAggregatedAttestation: (f, rng) => ({
    args: { slot: 100, attestationDataRoot: root(rng), committeeIndex: 3 },
    ret: { data: r(attestationType(f), rng), meta: { version: f } },
  }),
  publishAggregateAndProofs: (f, rng) => ({
    args: {
      fork: f,
      data: anyList(aggregateAndProofType(forkAtLeast(f, 'electra') ? 'electra' : 'phase0', true), rng),
    },
    ret: undefined,
  }),
  produceBlock: (f, rng) => {
    const blinded = forkAtLeast(f, 'bellatrix') && (rng() & 1) === 1;
    return {
      args: {
        slot: 64,
        randaoReveal: r(ssz.BLSSignature, rng),
        graffiti: r(ssz.Bytes32, rng),
        builderBoostFactor: 100n,
      },
      ret: {
        data: r(producedBlockType(f, blinded), rng),
        meta: {
          version: f,
          blinded,
          executionPayloadValue: 123456789012345678901n,
          consensusBlockValue: 42n,
        },
      },
    };
  },
  produceBlindedBlock: (f, rng) => ({
    args: {
      slot: 65,
      randaoReveal: r(ssz.BLSSignature, rng),
      graffiti: r(ssz.Bytes32, rng),
      feeRecipient: r(ssz.ExecutionAddress, rng),
    },
    ret: {
      data: r(producedBlockType(f, true), rng),
      meta: { version: f, blinded: true, executionPayloadValue: 0n, consensusBlockValue: 0n },
    },
  }),
  prepareBeaconCommitteeSubnet: (_f, rng) => ({
    args: { data: r(BeaconCommitteeSubscriptions, rng) },
    ret: undefined,
  }),
  prepareSyncCommitteeSubnets: (_f, rng) => ({
    args: { data: r(SyncCommitteeSubscriptions, rng) },
    ret: undefined,
  }),
  produceSyncCommitteeContribution: (_f, rng) => ({
    args: { slot: 8, subcommitteeIndex: 1, beaconBlockRoot: root(rng) },
    ret: { data: r(ssz.altair.SyncCommitteeContribution, rng), meta: {} },
  }),
  publishContributionAndProofs: (_f, rng) => ({
    args: { data: r(SignedContributionAndProofs, rng) },
    ret: undefined,
  }),
  prepareBeaconProposer: (_f, rng) => ({ args: { data: r(ProposerPreparations, rng) }, ret: undefined }),
  registerValidator: (_f, rng) => ({ args: { data: r(SignedValidatorRegistrations, rng) }, ret: undefined }),
  getLiveness: (_f, rng) => ({
    args: { epoch: 2, indices: [5, 6] },
    ret: { data: r(ValidatorLivenessList, rng), meta: {} },
  }),
};

export { ListCompositeType };
