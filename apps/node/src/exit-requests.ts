// Exit requests acted on: the wiring of the operator's `ExitRequests` (@diva-dvt/operator, where the
// epoch rule and the records are described) into the node. The chain lifecycle reports each
// `ExitRequested` of the ExitRequests contract for a validator of this operator; the node signs the
// voluntary exit with the committee and publishes it to its beacon node, as `POST /exit` does.
import { join } from 'node:path';
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { beaconExitStatus, ExitRequests, type Logger, type OperatorNode } from '@diva-dvt/operator';
import type { ChainParts } from './contracts.ts';

/**
 * Acts on the exit requests `chain` reports, through `node` (started: its validator client gives
 * the beacon chain's timing) and its beacon node (the validator's index and status). Records go to
 * `<dataDir>/exit-requests/`.
 */
export function actOnExitRequests(parameters: {
  readonly chain: Pick<ChainParts, 'onExitRequested' | 'blockTimestampSec'>;
  readonly node: Pick<OperatorNode, 'exit' | 'validatorClient'>;
  readonly api: BeaconApi;
  readonly genesisTimeSec: number;
  readonly dataDir: string;
  readonly logger: Logger;
}): ExitRequests {
  const { chain, node } = parameters;
  const requests = new ExitRequests({
    dir: join(parameters.dataDir, 'exit-requests'),
    exit: (validatorIndex, options) => node.exit(validatorIndex, options),
    times: () => {
      const spec = node.validatorClient?.spec;
      return spec === undefined
        ? undefined
        : {
            genesisTimeSec: parameters.genesisTimeSec,
            slotDurationMs: spec.slotDurationMs,
            slotsPerEpoch: spec.slotsPerEpoch,
          };
    },
    blockTimestampSec: (blockNumber) => chain.blockTimestampSec(blockNumber),
    validatorOf: beaconExitStatus(parameters.api),
    logger: parameters.logger,
  });
  chain.onExitRequested((event) => requests.handle(event));
  return requests;
}
