// Every endpoint this package speaks, by operation name. Each lists its versions newest first;
// see README "Supported endpoint versions" for the table.
import * as beacon from './routes/beacon.ts';
import * as config from './routes/config.ts';
import * as node from './routes/node.ts';
import * as validator from './routes/validator.ts';

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
  getStateValidators: beacon.getStateValidators,
  getBlockHeaders: beacon.getBlockHeaders,
  getBlockHeader: beacon.getBlockHeader,
  getBlock: beacon.getBlock,
  getBlindedBlock: beacon.getBlindedBlock,
  publishBlock: beacon.publishBlock,
  publishBlindedBlock: beacon.publishBlindedBlock,
  getPoolAttestations: beacon.getPoolAttestations,
  submitPoolAttestations: beacon.submitPoolAttestations,
  submitPoolSyncCommitteeSignatures: beacon.submitPoolSyncCommitteeSignatures,
  submitPoolVoluntaryExit: beacon.submitPoolVoluntaryExit,
  getPoolVoluntaryExits: beacon.getPoolVoluntaryExits,
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
  produceBlock: validator.produceBlock,
  produceBlindedBlock: validator.produceBlindedBlock,
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
