import type { Address, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { exitRequestsAbi } from '../generated/ExitRequests.ts';
import { withdrawalQueueAbi } from '../generated/WithdrawalQueue.ts';
import { watchEvent } from '../internal/watch.ts';

export type ExitRequestedEvent = {
  drawId: bigint;
  reason: number;
  source: 'withdrawal-queue' | 'exit-requests';
  log: Log;
};

export type WatchExitRequestedParameters = WatchOptions & {
  withdrawalQueue?: Address;
  exitRequests?: Address;
  onEvent: (event: ExitRequestedEvent) => void;
};

/**
 * A validator must exit: its committee signs a voluntary exit. Every exit of a full deployment (shortfall
 * included) is requested on the exits contract: pass `exitRequests`. The queue's own event (`withdrawalQueue`)
 * duplicates shortfall exits there; pass it only for a staking-core deployment whose exits role is not ours.
 */
export function watchExitRequested(client: ReadClient, parameters: WatchExitRequestedParameters): () => void {
  const stops: (() => void)[] = [];
  if (parameters.withdrawalQueue) {
    stops.push(
      watchEvent(client, {
        address: parameters.withdrawalQueue,
        abi: withdrawalQueueAbi,
        eventName: 'ExitRequested',
        options: parameters,
        onLog: (log) => {
          const { drawId, reason } = log.args;
          parameters.onEvent({ drawId, reason, source: 'withdrawal-queue', log });
        },
      }),
    );
  }
  if (parameters.exitRequests) {
    stops.push(
      watchEvent(client, {
        address: parameters.exitRequests,
        abi: exitRequestsAbi,
        eventName: 'ExitRequested',
        options: parameters,
        onLog: (log) => {
          const { drawId, reason } = log.args;
          parameters.onEvent({ drawId, reason, source: 'exit-requests', log });
        },
      }),
    );
  }
  return () => {
    for (const stop of stops) stop();
  };
}
