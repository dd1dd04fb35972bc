import type { Address, Hex, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { watchEvent } from '../internal/watch.ts';

export type CommitteeDrawnEvent = {
  drawId: bigint;
  committee: readonly Address[];
  seed: Hex;
  targetBlock: bigint;
  log: Log;
};

export type WatchCommitteeDrawnParameters = WatchOptions & {
  committeeDraw: Address;
  onEvent: (event: CommitteeDrawnEvent) => void;
};

/** A committee was drawn: its members start the DKG for `drawId`. Returns the unwatch function. */
export function watchCommitteeDrawn(
  client: ReadClient,
  parameters: WatchCommitteeDrawnParameters,
): () => void {
  return watchEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'CommitteeDrawn',
    options: parameters,
    onLog: (log) => {
      const { drawId, committee, seed, targetBlock } = log.args;
      parameters.onEvent({ drawId, committee, seed, targetBlock, log });
    },
  });
}
