import type { Address, Log } from 'viem';
import type { ReadClient, WatchOptions } from '../actions/types.ts';
import { accountingAbi } from '../generated/Accounting.ts';
import { watchEvent } from '../internal/watch.ts';

export type ReportAcceptedEvent = {
  epoch: bigint;
  preTotalEther: bigint;
  postTotalEther: bigint;
  operatorFeeShares: bigint;
  log: Log;
};

export type WatchReportsParameters = WatchOptions & {
  accounting: Address;
  onEvent: (event: ReportAcceptedEvent) => void;
};

/** A balance report was accepted (divETH rebased). */
export function watchReports(client: ReadClient, parameters: WatchReportsParameters): () => void {
  return watchEvent(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    eventName: 'ReportAccepted',
    options: parameters,
    onLog: (log) => {
      const { epoch, preTotalEther, postTotalEther, operatorFeeShares } = log.args;
      parameters.onEvent({ epoch, preTotalEther, postTotalEther, operatorFeeShares, log });
    },
  });
}
