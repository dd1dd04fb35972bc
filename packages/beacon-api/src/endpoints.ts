// Every endpoint this package speaks, by operation name. Each lists its versions newest first;
// see README "Supported endpoint versions" for the table.
import * as beacon from './routes/beacon.ts';
import * as config from './routes/config.ts';
import * as node from './routes/node.ts';
import * as pool from './routes/pool.ts';
import * as produce from './routes/produce-block.ts';
import * as validator from './routes/validator.ts';
import * as validators from './routes/validators.ts';

export const endpoints = {
  // node
  getHealth: node.getHealth,
  getSyncingStatus: node.getSyncingStatus,
  getNodeVersion: node.getNodeVersion,
  getNodeIdentity: node.getNodeIdentity,
  // beacon
  getGenesis: beacon.getGenesis,
  getStateFork: beacon.getStateFork,
  getStateFinalityCheckpoints: beacon.getStateFinalityCheckpoints,
  getStateValidators: validators.getStateValidators,
  getEpochCommittees: beacon.getEpochCommittees,
  getBlockHeaders: beacon.getBlockHeaders,
  getBlockHeader: beacon.getBlockHeader,
  getBlock: beacon.getBlock,
  getBlindedBlock: beacon.getBlindedBlock,
  publishBlock: beacon.publishBlock,
  publishBlindedBlock: beacon.publishBlindedBlock,
  getPoolAttestations: pool.getPoolAttestations,
  submitPoolAttestations: pool.submitPoolAttestations,
  submitPoolSyncCommitteeSignatures: pool.submitPoolSyncCommitteeSignatures,
  submitPoolVoluntaryExit: pool.submitPoolVoluntaryExit,
  getPoolVoluntaryExits: pool.getPoolVoluntaryExits,
  // config
  getSpec: config.getSpec,
  getForkSchedule: config.getForkSchedule,
  getDepositContract: config.getDepositContract,
  // validator
  getAttesterDuties: validator.getAttesterDuties,
  getProposerDuties: validator.getProposerDuties,
  getSyncCommitteeDuties: validator.getSyncCommitteeDuties,
  produceAttestationData: validator.produceAttestationData,
  getAggregatedAttestation: validator.getAggregatedAttestation,
  publishAggregateAndProofs: validator.publishAggregateAndProofs,
  produceBlock: produce.produceBlock,
  produceBlindedBlock: produce.produceBlindedBlock,
  prepareBeaconCommitteeSubnet: validator.prepareBeaconCommitteeSubnet,
  prepareSyncCommitteeSubnets: validator.prepareSyncCommitteeSubnets,
  produceSyncCommitteeContribution: validator.produceSyncCommitteeContribution,
  publishContributionAndProofs: validator.publishContributionAndProofs,
  prepareBeaconProposer: validator.prepareBeaconProposer,
  registerValidator: validator.registerValidator,
  getLiveness: validator.getLiveness,
} as const;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;
