// @diva-dvt/beacon-api: the typed, fault-tolerant Beacon Node API client (one node or a pool of
// nodes, version fallback, SSE events) and the types of what it sends and receives.
// The spec helpers (signing domains and roots, deposit data, forks, the SSZ types) are the
// `./spec` entry, the node:http server helper is `./server`, the preset choice `./preset`.
// The SSZ preset is fixed when this module loads (see ./preset.ts and the README).
export { type BeaconApi, createBeaconApi, type EndpointCaller } from './api.ts';
export { type ChainSpec, parseChainSpec } from './chain-spec.ts';
export {
  type BeaconNodeClient,
  type BeaconNodeOptions,
  type CallOptions,
  type ClientEvent,
  createBeaconNodeClient,
  type FetchFn,
  type Timers,
} from './client.ts';
export { type EndpointName, type Endpoints, endpoints } from './endpoints.ts';
export {
  type ApiErrorBody,
  BeaconApiError,
  type BeaconApiErrorCode,
  type BeaconApiErrorDetails,
  isBeaconApiError,
} from './errors.ts';
export {
  type BeaconEvent,
  type BlockEvent,
  type ChainReorgEvent,
  type EventStreamStatus,
  type EventSubscription,
  type EventTopic,
  type FinalizedCheckpointEvent,
  type HeadEvent,
  type SubscribeOptions,
  subscribeEvents,
} from './events.ts';
export {
  type BeaconNodePool,
  createBeaconNodePool,
  type NodeScore,
  type PoolCallOptions,
  type PoolEvent,
  type PoolOptions,
} from './pool.ts';
export type {
  AnyEndpoint,
  ApiResponse,
  ArgsOf,
  Endpoint,
  ResponseMetadata,
  RetOf,
  RouteDefinition,
} from './route.ts';
export type { BlockId, GetEpochCommitteesArgs, PublishBlockArgs, StateId } from './routes/beacon.ts';
export type { SpecValue } from './routes/config.ts';
export type { HealthStatus, NodeIdentity, SyncingStatus } from './routes/node.ts';
export type { SubmitAttestationsArgs } from './routes/pool.ts';
export type { ProduceBlockArgs, ProducedBlock, ProducedBlockMeta } from './routes/produce-block.ts';
export type { AggregateArgs, DutiesArgs, PublishAggregatesArgs } from './routes/validator.ts';
export type { GetValidatorsArgs } from './routes/validators.ts';
// What the API's own responses and requests carry (consensus containers are in ./spec).
export type {
  AttesterDuty,
  BeaconCommitteeSubscription,
  BlockHeaderResponse,
  DepositContract,
  EpochCommittee,
  FinalityCheckpoints,
  ForkValue,
  Genesis,
  ProposerDuty,
  ProposerPreparation,
  SyncCommitteeSubscription,
  SyncDuty,
  ValidatorLiveness,
  ValidatorResponse,
  ValidatorStatus,
} from './types.ts';
