// Fault injection for devnets and tests (`faultInjection` in the configuration; never on a real
// network): what `diva-node run` does with it beside the operator node's own `faults` option.
// - `equivocateAsLeader`: the node is a Byzantine round-1 leader (passed to the operator node); here
//   only the warning.
// - `isolateOnSignalMs`: on SIGUSR2 the node cuts itself off from every p2p peer for that long (a
//   partition of this node, `devnet --fault rounds`); the handler is removed when the node stops.
import type { Libp2pNetwork } from '@diva-dvt/operator';
import type { NodeConfig } from './config.ts';

export function applyFaultInjection(
  config: NodeConfig,
  network: Libp2pNetwork,
  logger: { warn(msg: string, fields?: Record<string, unknown>): void },
  cleanups: (() => Promise<void> | void)[],
): void {
  const faults = config.faultInjection;
  if (faults === undefined) return;
  if (faults.equivocateAsLeader)
    logger.warn('fault injection: this node proposes two values as round 1 leader (it will be slashed)');
  const isolateMs = faults.isolateOnSignalMs;
  if (isolateMs === undefined) return;
  logger.warn('fault injection: SIGUSR2 cuts this node off from its p2p peers', { durationMs: isolateMs });
  const isolate = () => network.isolate(isolateMs);
  process.on('SIGUSR2', isolate);
  cleanups.push(() => {
    process.off('SIGUSR2', isolate);
  });
}
