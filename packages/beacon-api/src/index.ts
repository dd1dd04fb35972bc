// @diva-dvt/beacon-api: typed Beacon Node API client, SSZ types, signing domains and roots.
// The SSZ preset is fixed when this module loads (see ./preset.ts and the README).
export { type BeaconApi, createBeaconApi, type EndpointCaller } from './api.ts';
export {
  type BeaconNodeClient,
  type BeaconNodeOptions,
  buildUrl,
  type CallOptions,
  type ClientEvent,
  createBeaconNodeClient,
  defaultTimers,
  type FetchFn,
  type Timers,
} from './client.ts';
export {
  createDepositDataJson,
  type DepositDataEntry,
  type DepositDataJson,
  depositDataRoot,
  depositMessageRoot,
  type ParseDepositDataOptions,
  parseDepositDataFile,
  serializeDepositDataFile,
} from './deposit.ts';
export { type EndpointName, type Endpoints, endpoints } from './endpoints.ts';
export {
  type ApiErrorBody,
  BeaconApiError,
  type BeaconApiErrorCode,
  type BeaconApiErrorDetails,
  isBeaconApiError,
  parseApiErrorBody,
} from './errors.ts';
export {
  type BeaconEvent,
  type BlockEvent,
  type ChainReorgEvent,
  createSseParser,
  decodeBeaconEvent,
  type EventStreamStatus,
  type EventSubscription,
  type EventTopic,
  type FinalizedCheckpointEvent,
  type HeadEvent,
  type SubscribeOptions,
  subscribeEvents,
} from './events.ts';
export {
  createForkSchedule,
  FORKS,
  type Fork,
  type ForkSchedule,
  forkAtEpoch,
  forkAtLeast,
  forkScheduleFromSpec,
  forkSeq,
  isFork,
  parseFork,
  type ScheduledFork,
  scheduledFork,
} from './forks.ts';
export { bytesToHex, fromJsonStrict, hexToBytes, JsonFieldError } from './internal/json.ts';
export {
  type BeaconNodePool,
  createBeaconNodePool,
  type NodeScore,
  type PoolCallOptions,
  type PoolEvent,
  type PoolOptions,
} from './pool.ts';
export {
  type AnyEndpoint,
  type ApiResponse,
  type ArgsOf,
  type Endpoint,
  HEADER,
  type HttpMethod,
  type ParsedRequest,
  type RequestParts,
  type ResponseCodec,
  type ResponseMeta,
  type ResponseMetadata,
  type RetOf,
  type RouteDefinition,
  type WireFormat,
} from './route.ts';
export type { BlockId, PublishBlockArgs, StateId } from './routes/beacon.ts';
export type { SpecValue } from './routes/config.ts';
export type { HealthStatus, NodeIdentity, SyncingStatus } from './routes/node.ts';
export type { SubmitAttestationsArgs } from './routes/pool.ts';
export type { ProduceBlockArgs, ProducedBlock, ProducedBlockMeta } from './routes/produce-block.ts';
export type { AggregateArgs, DutiesArgs, PublishAggregatesArgs } from './routes/validator.ts';
export type { GetValidatorsArgs } from './routes/validators.ts';
export {
  ApiHttpError,
  type BeaconApiImplementation,
  createRouteHandler,
  type RouteHandlerOptions,
} from './server.ts';
export {
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  blockHeaderSigningRoot,
  blockSigningRoot,
  builderDomain,
  builderRegistrationSigningRoot,
  computeDomain,
  computeEpochAtSlot,
  computeForkDataRoot,
  computeSigningRoot,
  contributionAndProofSigningRoot,
  createSigningContext,
  DOMAIN_TYPES,
  depositDomain,
  depositSigningRoot,
  domainAtEpoch,
  forkAtSlot,
  getDomain,
  randaoSigningRoot,
  type SigningContext,
  selectionProofSigningRoot,
  signingRootOfObjectRoot,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
  voluntaryExitDomain,
  voluntaryExitSigningRoot,
} from './signing.ts';
export * from './types.ts';
