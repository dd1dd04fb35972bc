// The exit of a distributed validator on the devnet (`--exit-request E`), the way a staker causes
// one, and the withdrawal that pays the staker. At epoch E the staker asks the withdrawal queue for
// 32 ETH of divETH, which the pool's buffer cannot pay, and asks for a shortfall exit of the first
// validator (`requestShortfallExit`: the draw is marked exited and ExitRequests records the request).
// Nobody else acts on the exit: the validator's committee sees the request on chain, signs the
// voluntary exit at the request block's epoch and publishes it (decision 42), and Lodestar puts the
// validator on its way out. Once it is withdrawable the devnet plays the beacon chain's sweep (altair
// has none; ./withdrawal.ts), the operators' next report counts the ETH, their keepers finalize the
// staker's request, and the staker claims; then the books are checked to the wei. This records when
// each step was seen, in seconds from the request, for the summary.
import type { BooksLine, WithdrawalDriver } from './withdrawal.ts';

export interface ExitTimelineRecord {
  readonly validatorIndex: number;
  readonly drawId: string;
  readonly requestId: string;
  readonly requestedAtEpoch: number;
  /** The validator's exit epoch once the beacon chain set it. */
  exitEpoch?: number;
  /** Seconds from the request until the beacon chain showed the validator exiting. */
  exitingSec?: number;
  /** Seconds from the request until the validator's status was exited (`exited_*`). */
  exitedSec?: number;
  /** The sweep's stand-in: seconds from the request, and the wei (the beacon balance × 10⁹). */
  sweptSec?: number;
  sweptWei?: string;
  /** Seconds until a report counted the swept ETH (divETH's `countedWithdrawals`). */
  countedSec?: number;
  /** Seconds until the keepers finalized the request, and its payout. */
  finalizedSec?: number;
  payoutWei?: string;
  /** Seconds until the staker's claim, and the ETH it received (gas apart). */
  claimedSec?: number;
  claimedWei?: string;
  /** The books after the claim (./withdrawal.ts), and whether every line balanced. */
  books?: readonly BooksLine[];
  booksBalanced?: boolean;
  status: string;
}

export class ExitTimeline {
  readonly #requestedAt = Date.now();
  readonly #driver: WithdrawalDriver;
  readonly #requestId: bigint;
  readonly record: ExitTimelineRecord;

  constructor(
    request: { readonly validatorIndex: number; readonly drawId: bigint; readonly requestId: bigint },
    requestedAtEpoch: number,
    driver: WithdrawalDriver,
  ) {
    this.#driver = driver;
    this.#requestId = request.requestId;
    this.record = {
      validatorIndex: request.validatorIndex,
      drawId: request.drawId.toString(),
      requestId: request.requestId.toString(),
      requestedAtEpoch,
      status: 'active_ongoing',
    };
  }

  /** Whether the staker has claimed and the books were checked. */
  get done(): boolean {
    return this.record.books !== undefined;
  }

  /** Updates the record from the beacon node and the contracts, acting when due; a status line part. */
  async step(beaconUrl: string): Promise<string> {
    const r = this.record;
    const since = () => Math.round((Date.now() - this.#requestedAt) / 1000);
    const seen = await validatorOf(beaconUrl, r.validatorIndex);
    if (seen !== undefined) {
      r.status = seen.status;
      if (seen.exitEpoch !== undefined && r.exitEpoch === undefined) {
        r.exitEpoch = seen.exitEpoch;
        r.exitingSec = since();
      }
      if (r.exitedSec === undefined && seen.status.startsWith('exited')) r.exitedSec = since();
      // altair keeps the balance in the state: the sweep is played once, at the withdrawable epoch
      if (r.sweptWei === undefined && seen.status.startsWith('withdrawal') && seen.balanceGwei > 0n) {
        const wei = seen.balanceGwei * 10n ** 9n;
        await this.#driver.sweep(seen.pubkey, wei);
        r.sweptWei = wei.toString();
        r.sweptSec = since();
      }
    }
    if (r.sweptWei !== undefined && r.countedSec === undefined) {
      if ((await this.#driver.counted()) >= BigInt(r.sweptWei)) r.countedSec = since();
    }
    if (r.countedSec !== undefined && r.finalizedSec === undefined) {
      const payout = await this.#driver.finalizedPayout(this.#requestId);
      if (payout !== undefined) {
        r.payoutWei = payout.toString();
        r.finalizedSec = since();
      }
    }
    if (r.finalizedSec !== undefined && r.claimedSec === undefined) {
      r.claimedWei = (await this.#driver.claim(this.#requestId)).receivedWei.toString();
      r.claimedSec = since();
      r.books = await this.#driver.books();
      r.booksBalanced = r.books.every((line) => line.balanced);
    }
    return `exit of validator ${r.validatorIndex} (requested ${since()} s ago): ${this.#stage()}`;
  }

  #stage(): string {
    const r = this.record;
    if (r.books !== undefined)
      return `claimed ${r.claimedWei} wei; books ${r.booksBalanced ? 'balanced' : 'NOT balanced'}`;
    if (r.finalizedSec !== undefined) return 'request finalized, claiming';
    if (r.countedSec !== undefined)
      return 'swept ETH counted by a report, waiting for the keepers to finalize';
    if (r.sweptWei !== undefined)
      return `${r.status}, swept ${r.sweptWei} wei (emulated), waiting for a report`;
    const exit = r.exitEpoch === undefined ? 'no exit epoch yet' : `exit epoch ${r.exitEpoch}`;
    return `${r.status}, ${exit}`;
  }
}

/** The validator's status, exit epoch (undefined while FAR_FUTURE_EPOCH), balance and key. */
async function validatorOf(
  beaconUrl: string,
  index: number,
): Promise<{ status: string; exitEpoch?: number; balanceGwei: bigint; pubkey: `0x${string}` } | undefined> {
  try {
    const r = await fetch(`${beaconUrl}/eth/v1/beacon/states/head/validators/${index}`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (!r.ok) return undefined;
    const body = (await r.json()) as {
      data?: { status?: string; balance?: string; validator?: { exit_epoch?: string; pubkey?: string } };
    };
    const pubkey = body.data?.validator?.pubkey;
    const balance = body.data?.balance;
    if (pubkey === undefined || !/^0x[0-9a-f]{96}$/.test(pubkey) || !/^\d+$/.test(balance ?? ''))
      return undefined;
    const exitEpoch = Number(body.data?.validator?.exit_epoch);
    return {
      status: body.data?.status ?? 'unknown',
      balanceGwei: BigInt(balance!),
      pubkey: pubkey as `0x${string}`,
      // FAR_FUTURE_EPOCH (2^64 - 1) parses to a number far above 2^53
      ...(Number.isSafeInteger(exitEpoch) ? { exitEpoch } : {}),
    };
  } catch {
    return undefined;
  }
}
