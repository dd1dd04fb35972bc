// Watchers for the events the operator runtime reacts to. Each calls `onEvent` with decoded logs and
// returns viem's unwatch function. They poll (or subscribe, on a WebSocket transport) through viem's
// watchContractEvent; pass `fromBlock` to replay history first.
import type { Address, Log } from 'viem';
import { watchContractEvent } from 'viem/actions';
import type { ReadClient } from './actions/types.ts';
import { accountingAbi } from './generated/Accounting.ts';
import { committeeDrawAbi } from './generated/CommitteeDraw.ts';
import { dkgResultRegistryAbi } from './generated/DkgResultRegistry.ts';
import { exitRequestsAbi } from './generated/ExitRequests.ts';
import { withdrawalQueueAbi } from './generated/WithdrawalQueue.ts';

export type WatchOptions = {
  /** Replay from this block before following new ones. */
  fromBlock?: bigint;
  pollingIntervalMs?: number;
  onError?: (error: Error) => void;
};

function options(o: WatchOptions) {
  return {
    ...(o.fromBlock !== undefined ? { fromBlock: o.fromBlock } : {}),
    ...(o.pollingIntervalMs !== undefined ? { pollingInterval: o.pollingIntervalMs } : {}),
    ...(o.onError !== undefined ? { onError: o.onError } : {}),
  };
}

export type CommitteeDrawnEvent = {
  drawId: bigint;
  committee: readonly Address[];
  seed: `0x${string}`;
  targetBlock: bigint;
  log: Log;
};

/** A committee was drawn: its members start the DKG for `drawId`. */
export function watchCommitteeDrawn(
  client: ReadClient,
  parameters: { committeeDraw: Address; onEvent: (event: CommitteeDrawnEvent) => void } & WatchOptions,
): () => void {
  return watchContractEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'CommitteeDrawn',
    ...options(parameters),
    onLogs: (logs) => {
      for (const log of logs) {
        const { drawId, committee, seed, targetBlock } = log.args;
        parameters.onEvent({
          drawId: drawId!,
          committee: committee!,
          seed: seed!,
          targetBlock: targetBlock!,
          log,
        });
      }
    },
  });
}

export type DkgApprovedEvent = { drawId: bigint; log: Log };

/** A committee's DKG result was accepted on chain (the validator gets its first 1 ETH deposit). */
export function watchDkgApproved(
  client: ReadClient,
  parameters: { committeeDraw: Address; onEvent: (event: DkgApprovedEvent) => void } & WatchOptions,
): () => void {
  return watchContractEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'DrawApproved',
    ...options(parameters),
    onLogs: (logs) => {
      for (const log of logs) parameters.onEvent({ drawId: log.args.drawId!, log });
    },
  });
}

export type ReshareRequestedEvent = {
  drawId: bigint;
  committee: readonly Address[];
  shareIndex: bigint;
  replacement: Address;
  log: Log;
};

/** An ejected member was replaced: the committee reshares to `committee` (1-based `shareIndex`). */
export function watchReshareRequested(
  client: ReadClient,
  parameters: { committeeDraw: Address; onEvent: (event: ReshareRequestedEvent) => void } & WatchOptions,
): () => void {
  return watchContractEvent(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    eventName: 'ReshareRequested',
    ...options(parameters),
    onLogs: (logs) => {
      for (const log of logs) {
        const { drawId, committee, shareIndex, replacement } = log.args;
        parameters.onEvent({
          drawId: drawId!,
          committee: committee!,
          shareIndex: shareIndex!,
          replacement: replacement!,
          log,
        });
      }
    },
  });
}

export type ExitRequestedEvent = {
  drawId: bigint;
  reason: number;
  source: 'withdrawal-queue' | 'exit-requests';
  log: Log;
};

/**
 * A validator must exit: its committee signs a voluntary exit. Every exit of a full deployment (shortfall
 * included) is requested on the exits contract: pass `exitRequests`. The queue's own event (`withdrawalQueue`)
 * duplicates shortfall exits there; pass it only for a staking-core deployment whose exits role is not ours.
 */
export function watchExitRequested(
  client: ReadClient,
  parameters: {
    withdrawalQueue?: Address;
    exitRequests?: Address;
    onEvent: (event: ExitRequestedEvent) => void;
  } & WatchOptions,
): () => void {
  const stops: (() => void)[] = [];
  if (parameters.withdrawalQueue) {
    stops.push(
      watchContractEvent(client, {
        address: parameters.withdrawalQueue,
        abi: withdrawalQueueAbi,
        eventName: 'ExitRequested',
        ...options(parameters),
        onLogs: (logs) => {
          for (const log of logs) {
            parameters.onEvent({
              drawId: log.args.drawId!,
              reason: log.args.reason!,
              source: 'withdrawal-queue',
              log,
            });
          }
        },
      }),
    );
  }
  if (parameters.exitRequests) {
    stops.push(
      watchContractEvent(client, {
        address: parameters.exitRequests,
        abi: exitRequestsAbi,
        eventName: 'ExitRequested',
        ...options(parameters),
        onLogs: (logs) => {
          for (const log of logs) {
            parameters.onEvent({
              drawId: log.args.drawId!,
              reason: log.args.reason!,
              source: 'exit-requests',
              log,
            });
          }
        },
      }),
    );
  }
  return () => {
    for (const stop of stops) stop();
  };
}

export type ReportAcceptedEvent = {
  epoch: bigint;
  preTotalEther: bigint;
  postTotalEther: bigint;
  operatorFeeShares: bigint;
  log: Log;
};

/** A balance report was accepted (divETH rebased). */
export function watchReports(
  client: ReadClient,
  parameters: { accounting: Address; onEvent: (event: ReportAcceptedEvent) => void } & WatchOptions,
): () => void {
  return watchContractEvent(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    eventName: 'ReportAccepted',
    ...options(parameters),
    onLogs: (logs) => {
      for (const log of logs) {
        const { epoch, preTotalEther, postTotalEther, operatorFeeShares } = log.args;
        parameters.onEvent({
          epoch: epoch!,
          preTotalEther: preTotalEther!,
          postTotalEther: postTotalEther!,
          operatorFeeShares: operatorFeeShares!,
          log,
        });
      }
    },
  });
}

/** The DKG-result registry's acceptance event, for runtimes that track results themselves. */
export const dkgResultAcceptedEvent = dkgResultRegistryAbi.find(
  (item) => item.type === 'event' && item.name === 'DkgResultAccepted',
)!;
