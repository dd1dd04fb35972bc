import type { Address, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { watchEvent } from '../internal/watch.ts';

export type ReshareRequestedEvent = {
  drawId: bigint;
  committee: readonly Address[];
  shareIndex: bigint;
  replacement: Address;
  log: Log;
};

export type WatchReshareRequestedParameters = WatchOptions & {
  committeeDraw: Address;
  onEvent: (event: ReshareRequestedEvent) => void;
};

/** An ejected member was replaced: the committee reshares to `committee` (1-based `shareIndex`). */
export function watchReshareRequested(
  client: ReadClient,
  parameters: WatchReshareRequestedParameters,
): () => void {
  return watchEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'ReshareRequested',
    options: parameters,
    onLog: (log) => {
      const { drawId, committee, shareIndex, replacement } = log.args;
      parameters.onEvent({ drawId, committee, shareIndex, replacement, log });
    },
  });
}
