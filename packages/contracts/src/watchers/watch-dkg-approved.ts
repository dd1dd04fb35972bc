import type { Address, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { watchEvent } from '../internal/watch.ts';

export type DkgApprovedEvent = { drawId: bigint; log: Log };

export type WatchDkgApprovedParameters = WatchOptions & {
  committeeDraw: Address;
  onEvent: (event: DkgApprovedEvent) => void;
};

/** A committee's DKG result was accepted on chain (the validator gets its first 1 ETH deposit). */
export function watchDkgApproved(client: ReadClient, parameters: WatchDkgApprovedParameters): () => void {
  return watchEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'DrawApproved',
    options: parameters,
    onLog: (log) => parameters.onEvent({ drawId: log.args.drawId, log }),
  });
}
