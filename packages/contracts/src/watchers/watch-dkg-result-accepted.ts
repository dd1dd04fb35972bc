import type { Address, Hex, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { watchEvent } from '../internal/watch.ts';

export type DkgResultAcceptedEvent = {
  drawId: bigint;
  /** The validator's public key (48-byte compressed G1). */
  pubkey: Hex;
  publicSharesHash: Hex;
  depositDataRoot: Hex;
  submitter: Address;
  log: Log;
};

export type WatchDkgResultAcceptedParameters = WatchOptions & {
  dkgResultRegistry: Address;
  onEvent: (event: DkgResultAcceptedEvent) => void;
};

/** The registry accepted a DKG result (with its key and roots), for runtimes that track results themselves. */
export function watchDkgResultAccepted(
  client: ReadClient,
  parameters: WatchDkgResultAcceptedParameters,
): () => void {
  return watchEvent(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    eventName: 'DkgResultAccepted',
    options: parameters,
    onLog: (log) => {
      const { drawId, pubkey, publicSharesHash, depositDataRoot, submitter } = log.args;
      parameters.onEvent({ drawId, pubkey, publicSharesHash, depositDataRoot, submitter, log });
    },
  });
}
