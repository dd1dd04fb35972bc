// Keeper duties any node may run; the contracts decide, so duplicates are harmless (the second call
// of two nodes fails its simulation and sends nothing): request a draw when 32 ETH wait in the buffer,
// finalise a draw once its target block is mined, expire a committee past its DKG timeout and redraw
// it (or a request whose target left the 8,191-block history), and eject (or margin-call) an operator
// whose collateral no longer covers its seats, and (with more active seats than K) request and draw
// the report frame's reporting committee, and finalize the withdrawal queue's requests once a report
// and the buffer allow (the staker then claims), and put a replacement in every seat an ejected
// operator still holds (the evidence contract replaces it only in the committee the evidence was
// about, an ejection for collateral in none). One pass per new block; a node never sends the same
// action twice while its transaction is pending. The reporting-committee check reads the contracts
// only when it may have work: the active seats are read again only when the folded state shows a
// seat may have moved (./seats.ts), nothing more while they are at most K, and once the frame's
// committee is drawn (or its report accepted) nothing until the next frame starts.
import {
  drawReplacement,
  drawReportingCommittee,
  ejectUndercollateralized,
  expireDraw,
  finalizeDraw,
  finalizeWithdrawals,
  redraw,
  requestDraw,
  requestReportingCommittee,
  type WalletClientLike,
} from '@diva-dvt/contracts';
import {
  accountingAbi,
  committeeDrawAbi,
  divETHAbi,
  operatorRegistryAbi,
  withdrawalQueueAbi,
} from '@diva-dvt/contracts/abis';
import type { Hash } from 'viem';
import { readContract, waitForTransactionReceipt } from 'viem/actions';
import type { OperatorAddress } from '../committee/types.ts';
import type { Logger } from '../logger.ts';
import type { ChainAddresses } from './chain-reader.ts';
import type { ChainState } from './chain-state.ts';
import { ActiveSeats } from './seats.ts';

export type KeeperAction =
  | 'request-draw'
  | 'finalize-draw'
  | 'expire-draw'
  | 'redraw'
  | 'eject'
  | 'replace-ejected'
  | 'request-reporting-committee'
  | 'draw-reporting-committee'
  | 'finalize-withdrawals';

export interface KeeperActionEvent {
  readonly action: KeeperAction;
  readonly drawId?: bigint;
  readonly operator?: OperatorAddress;
  readonly transactionHash: Hash;
}

const HISTORY_WINDOW = 8191n;

/** The accounting contract's immutables the reporting-committee check needs. */
interface ReportFrames {
  readonly k: bigint;
  readonly genesisTime: bigint;
  readonly secondsPerEpoch: bigint;
  readonly epochsPerFrame: bigint;
}
const ETH_PER_VALIDATOR = 32n * 10n ** 18n;
/** Requests one `finalize` call takes at most (the rest in the next block). */
const FINALIZE_BATCH = 50n;

export class Keepers {
  readonly #wallet: WalletClientLike;
  readonly #addresses: ChainAddresses;
  readonly #logger: Logger;
  readonly #onAction: (event: KeeperActionEvent) => void;
  readonly #ejectEveryBlocks: bigint;
  readonly #inflight = new Set<string>();
  readonly #nowMs: () => number;
  readonly #activeSeats: ActiveSeats;
  #constants: { dkgTimeout: bigint; committeeSize: bigint; collateralPerSeat: bigint } | undefined;
  #frames: ReportFrames | undefined;
  /** Wall-clock ms before which the reporting committee needs nothing (the frame's is settled). */
  #settledUntilMs = 0;
  #lastBlock = -1n;
  #lastEjectCheck = -1n;
  /** The queue and buffer figures `finalize` was last tried with (tried again only when they move). */
  #finalizeTried = '';

  constructor(parameters: {
    wallet: WalletClientLike;
    addresses: ChainAddresses;
    logger: Logger;
    onAction: (event: KeeperActionEvent) => void;
    /** Blocks between two collateral checks of every seated operator (default 32). */
    ejectCheckEveryBlocks?: number;
    /** Wall clock in ms (default `Date.now`): when the next report frame starts. */
    nowMs?: () => number;
  }) {
    this.#wallet = parameters.wallet;
    this.#addresses = parameters.addresses;
    this.#logger = parameters.logger;
    this.#onAction = parameters.onAction;
    this.#ejectEveryBlocks = BigInt(parameters.ejectCheckEveryBlocks ?? 32);
    this.#nowMs = parameters.nowMs ?? Date.now;
    this.#activeSeats = new ActiveSeats(() =>
      readContract(this.#wallet, {
        address: this.#addresses.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'activeSeats',
      }),
    );
  }

  /** One pass over `state` (nothing when no new block was read since the last). */
  async run(state: ChainState): Promise<void> {
    const block = state.block();
    if (block === this.#lastBlock) return;
    this.#lastBlock = block;
    this.#constants ??= await this.#readConstants();
    const c = this.#constants;
    for (const draw of state.draws()) {
      if (draw.status === 'requested' && block > draw.targetBlock) {
        if (block - draw.targetBlock <= HISTORY_WINDOW) {
          this.#send('finalize-draw', { drawId: draw.drawId }, () =>
            finalizeDraw(this.#wallet, { committeeDraw: this.#addresses.committeeDraw, drawId: draw.drawId }),
          );
        } else {
          this.#send('redraw', { drawId: draw.drawId }, () =>
            redraw(this.#wallet, { committeeDraw: this.#addresses.committeeDraw, drawId: draw.drawId }),
          );
        }
      } else if (draw.status === 'drawn' && block > draw.drawnAtBlock + c.dkgTimeout) {
        this.#send('expire-draw', { drawId: draw.drawId }, () =>
          expireDraw(this.#wallet, { committeeDraw: this.#addresses.committeeDraw, drawId: draw.drawId }),
        );
      } else if (draw.status === 'expired') {
        this.#send('redraw', { drawId: draw.drawId }, () =>
          redraw(this.#wallet, { committeeDraw: this.#addresses.committeeDraw, drawId: draw.drawId }),
        );
      }
    }
    this.#replaceEjected(state);
    await this.#maybeRequestDraw(c.committeeSize);
    await this.#reportingCommittee(state, block);
    await this.#finalizeWithdrawals();
    if (this.#lastEjectCheck < 0n || block - this.#lastEjectCheck >= this.#ejectEveryBlocks) {
      this.#lastEjectCheck = block;
      await this.#checkCollateral(state, c.collateralPerSeat);
    }
  }

  /**
   * Finalizes queued withdrawal requests when some wait and the buffer holds ETH for them. The
   * contract decides which (those made before the last report's reference epoch, as far as the buffer
   * pays): a call with nothing to do fails its simulation and sends nothing, and is not tried again
   * until the queue, the buffer or the last report changes.
   */
  async #finalizeWithdrawals(): Promise<void> {
    const queue = this.#addresses.withdrawalQueue;
    const accounting = this.#addresses.accounting;
    if (queue === undefined || accounting === undefined) return;
    // one read per block while the queue is empty (ETH owed to requests not finalized)
    const owed = await readContract(this.#wallet, {
      address: queue,
      abi: withdrawalQueueAbi,
      functionName: 'unfinalizedEther',
    });
    if (owed === 0n) return;
    const [available, lastEpoch] = await Promise.all([
      readContract(this.#wallet, {
        address: this.#addresses.divETH,
        abi: divETHAbi,
        functionName: 'availableForWithdrawals',
      }),
      readContract(this.#wallet, { address: accounting, abi: accountingAbi, functionName: 'lastEpoch' }),
    ]);
    if (available === 0n) return;
    const figures = `${owed}:${available}:${lastEpoch}`;
    if (figures === this.#finalizeTried) return;
    this.#finalizeTried = figures;
    this.#send('finalize-withdrawals', {}, () =>
      finalizeWithdrawals(this.#wallet, { withdrawalQueue: queue, maxRequests: FINALIZE_BATCH }),
    );
  }

  async #readConstants() {
    const draw = { address: this.#addresses.committeeDraw, abi: committeeDrawAbi } as const;
    const [dkgTimeout, committeeSize, collateralPerSeat] = await Promise.all([
      readContract(this.#wallet, { ...draw, functionName: 'DKG_TIMEOUT_BLOCKS' }),
      readContract(this.#wallet, { ...draw, functionName: 'committeeSize' }),
      readContract(this.#wallet, {
        address: this.#addresses.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'COLLATERAL_PER_SEAT',
      }),
    ]);
    return { dkgTimeout, committeeSize, collateralPerSeat };
  }

  async #maybeRequestDraw(committeeSize: bigint): Promise<void> {
    if (this.#inflight.has('request-draw::')) return;
    const [available, withCapacity] = await Promise.all([
      readContract(this.#wallet, {
        address: this.#addresses.divETH,
        abi: divETHAbi,
        functionName: 'availableForDraws',
      }),
      readContract(this.#wallet, {
        address: this.#addresses.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'operatorsWithCapacity',
      }),
    ]);
    if (available < ETH_PER_VALIDATOR || withCapacity < committeeSize) return;
    this.#send('request-draw', {}, () =>
      requestDraw(this.#wallet, { committeeDraw: this.#addresses.committeeDraw }),
    );
  }

  /**
   * With more active seats than K, quorums (reports, the 31 ETH confirmations) are of a sampled
   * reporting committee per report frame: request the current frame's, and draw it once its target
   * block is mined (a request whose target left the history window is made again). Reads: K and the
   * frame timing once; the active seats when a seat may have moved; the frame's epochs and its
   * committee only while seats exceed K and the current frame's committee is not settled.
   */
  async #reportingCommittee(state: ChainState, block: bigint): Promise<void> {
    const accounting = this.#addresses.accounting;
    if (accounting === undefined) return;
    const read = { address: accounting, abi: accountingAbi } as const;
    this.#frames ??= await this.#readFrames(accounting);
    const frames = this.#frames;
    const seats = await this.#activeSeats.of(state);
    if (seats <= frames.k || this.#nowMs() < this.#settledUntilMs) return;
    const [epoch, last] = await Promise.all([
      readContract(this.#wallet, { ...read, functionName: 'currentReferenceEpoch' }),
      readContract(this.#wallet, { ...read, functionName: 'lastEpoch' }),
    ]);
    if (epoch <= last) return this.#settled(epoch);
    const [targetBlock, drawn] = await readContract(this.#wallet, {
      ...read,
      functionName: 'reportingCommitteeOf',
      args: [epoch],
    });
    if (drawn) return this.#settled(epoch);
    if (targetBlock === 0n || block - targetBlock > HISTORY_WINDOW) {
      this.#send('request-reporting-committee', {}, () =>
        requestReportingCommittee(this.#wallet, { accounting }),
      );
    } else if (block > targetBlock) {
      this.#send('draw-reporting-committee', {}, () =>
        drawReportingCommittee(this.#wallet, { accounting, epoch }),
      );
    }
  }

  /**
   * The frame of reference epoch `epoch` needs no more (its committee is drawn or its report
   * accepted): quiet until the next frame starts by the wall clock. The contract's frame follows the
   * block timestamp; a chain whose clock runs behind ours is only looked at again a little early.
   */
  #settled(epoch: bigint): void {
    const f = this.#frames!;
    this.#settledUntilMs = Number((f.genesisTime + (epoch + f.epochsPerFrame) * f.secondsPerEpoch) * 1000n);
  }

  async #readFrames(accounting: `0x${string}`): Promise<ReportFrames> {
    const read = { address: accounting, abi: accountingAbi } as const;
    const [k, genesisTime, secondsPerEpoch, epochsPerFrame] = await Promise.all([
      readContract(this.#wallet, { ...read, functionName: 'REPORTING_COMMITTEE_SEATS' }),
      readContract(this.#wallet, { ...read, functionName: 'GENESIS_TIME' }),
      readContract(this.#wallet, { ...read, functionName: 'SECONDS_PER_EPOCH' }),
      readContract(this.#wallet, { ...read, functionName: 'EPOCHS_PER_FRAME' }),
    ]);
    return { k, genesisTime, secondsPerEpoch, epochsPerFrame };
  }

  /** `drawReplacement` for each seat of a drawn or approved committee an ejected operator holds. */
  #replaceEjected(state: ChainState): void {
    for (const draw of state.draws()) {
      if (draw.status !== 'drawn' && draw.status !== 'approved') continue;
      for (const member of draw.committee) {
        if (state.operator(member)?.ejected !== true) continue;
        this.#send('replace-ejected', { drawId: draw.drawId, operator: member }, () =>
          drawReplacement(this.#wallet, {
            committeeDraw: this.#addresses.committeeDraw,
            drawId: draw.drawId,
            ejected: member,
          }),
        );
      }
    }
  }

  async #checkCollateral(state: ChainState, collateralPerSeat: bigint): Promise<void> {
    for (const operator of state.operators()) {
      if (operator.ejected) continue;
      const view = await readContract(this.#wallet, {
        address: this.#addresses.operatorRegistry,
        abi: operatorRegistryAbi,
        functionName: 'operatorOf',
        args: [operator.address],
      });
      if (view.keyShares === 0n || view.collateralEther >= view.keyShares * collateralPerSeat) continue;
      this.#send('eject', { operator: operator.address }, () =>
        ejectUndercollateralized(this.#wallet, {
          operatorRegistry: this.#addresses.operatorRegistry,
          operator: operator.address,
        }),
      );
    }
  }

  /** Sends one action unless the same is pending from this node; a refusal is expected (another keeper was first). */
  #send(
    action: KeeperAction,
    target: { drawId?: bigint; operator?: OperatorAddress },
    write: () => Promise<Hash>,
  ): void {
    const key = `${action}:${target.drawId ?? ''}:${target.operator ?? ''}`;
    if (this.#inflight.has(key)) return;
    this.#inflight.add(key);
    void (async () => {
      try {
        const transactionHash = await write();
        this.#onAction({ action, ...target, transactionHash });
        await waitForTransactionReceipt(this.#wallet, { hash: transactionHash });
      } catch (error) {
        const reason = (error as { shortMessage?: string }).shortMessage ?? String(error);
        this.#logger.debug('keeper action not sent', { action, drawId: target.drawId?.toString(), reason });
      } finally {
        this.#inflight.delete(key);
      }
    })();
  }
}
