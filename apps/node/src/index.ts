// @diva-dvt/node: the diva-node app as a library (the CLI in ./cli.ts is a thin shell over it):
// the configuration parser, startNode (every component wired from a configuration), metrics and
// the HTTP endpoints, and the operator dashboard (model, recorder, renderer, handler).
export { main, parseRunArguments } from './cli.ts';
export { type LogLevel, type NodeConfig, parseNodeConfig, readNodeConfig } from './config.ts';
export { type DashboardChart, renderChartSvg } from './dashboard/charts.ts';
export {
  createDashboardHandler,
  type DashboardHandler,
  type DashboardHandlerOptions,
} from './dashboard/handler.ts';
export {
  type BeaconNodeHealth,
  buildDashboardModel,
  type ChainPosition,
  type CommitteeView,
  type DashboardModel,
  type DashboardSource,
  type HealthCheck,
  LATENCY_BOUNDS_MS,
  type NodeDashboardReport,
  type OutcomeCount,
  type PeerHealth,
} from './dashboard/model.ts';
export { createNodeDashboardSource, type NodeDashboardSourceInit } from './dashboard/node-source.ts';
export { renderDashboardPage } from './dashboard/page.ts';
export {
  createDashboardRecorder,
  type DashboardRecorder,
  type DashboardRecorderInit,
  type NodeSnapshot,
} from './dashboard/recorder.ts';
export {
  DivaNodeError,
  type DivaNodeErrorCode,
  type DivaNodeErrorDetails,
  isDivaNodeError,
} from './errors.ts';
export {
  type HttpEndpoints,
  type HttpEndpointsOptions,
  type ReadinessCheck,
  startHttpEndpoints,
} from './http.ts';
export { createPinoLogger } from './logger.ts';
export { createNodeMetrics, type NodeMetrics } from './metrics.ts';
export { type RunningNode, startNode } from './start.ts';
