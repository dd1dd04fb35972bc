// The one way every watcher follows a contract event: viem's watchContractEvent (polling, or a
// subscription on a WebSocket transport), with the package's options mapped to viem's, each decoded
// log handed to `onLog` in order. Returns viem's unwatch function.
import type { Abi, Address, ContractEventName, WatchContractEventOnLogsParameter } from 'viem';
import { watchContractEvent } from 'viem/actions';
import type { ReadClient, WatchOptions } from '../actions/types.ts';

export function watchEvent<const abi extends Abi, eventName extends ContractEventName<abi>>(
  client: ReadClient,
  parameters: {
    address: Address;
    abi: abi;
    eventName: eventName;
    options: WatchOptions;
    onLog: (log: WatchContractEventOnLogsParameter<abi, eventName, true>[number]) => void;
  },
): () => void {
  const o = parameters.options;
  return watchContractEvent(client, {
    address: parameters.address,
    abi: parameters.abi,
    eventName: parameters.eventName,
    strict: true,
    ...(o.fromBlock !== undefined ? { fromBlock: o.fromBlock } : {}),
    ...(o.pollingIntervalMs !== undefined ? { pollingInterval: o.pollingIntervalMs } : {}),
    ...(o.onError !== undefined ? { onError: o.onError } : {}),
    onLogs: (logs: readonly WatchContractEventOnLogsParameter<abi, eventName, true>[number][]) => {
      for (const log of logs) parameters.onLog(log);
    },
  } as never);
}
