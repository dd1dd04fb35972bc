// @diva-dvt/node: the diva-node app as a library (the CLI in ./cli.ts is a thin shell over it):
// the configuration parser, startNode (every component wired from a configuration), metrics and
// the HTTP endpoints.
export { main, parseRunArguments } from './cli.ts';
export { type LogLevel, type NodeConfig, parseNodeConfig, readNodeConfig } from './config.ts';
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
