// The exit of a distributed validator on the devnet (`--exit-request E`), the way a staker causes
// one: at epoch E the staker asks the withdrawal queue for 32 ETH of divETH, which the pool's buffer
// cannot pay, and asks for a shortfall exit of the first validator (`requestShortfallExit`: the draw
// is marked exited and ExitRequests records the request). Nobody else acts: the validator's
// committee sees the request on chain, signs the voluntary exit at the request block's epoch and
// publishes it (decision 42), and Lodestar puts the validator on its way out. This records when each
// step was seen, in seconds from the request, for the summary. The withdrawal itself (the beacon
// chain sweeping the balance to divETH) needs a fork after altair, which Lodestar 1.5.1 does not run.

export interface ExitTimelineRecord {
  readonly validatorIndex: number;
  readonly drawId: string;
  readonly requestedAtEpoch: number;
  /** The validator's exit epoch once the beacon chain set it. */
  exitEpoch?: number;
  /** Seconds from the request until the beacon chain showed the validator exiting. */
  exitingSec?: number;
  /** Seconds from the request until the validator's status was exited (`exited_*`). */
  exitedSec?: number;
  status: string;
}

export class ExitTimeline {
  readonly #requestedAt = Date.now();
  readonly record: ExitTimelineRecord;

  constructor(validatorIndex: number, drawId: bigint, requestedAtEpoch: number) {
    this.record = { validatorIndex, drawId: drawId.toString(), requestedAtEpoch, status: 'active_ongoing' };
  }

  /** Updates the record from the beacon node; returns a status line part. */
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
    }
    const exit = r.exitEpoch === undefined ? 'no exit epoch yet' : `exit epoch ${r.exitEpoch}`;
    return `exit of validator ${r.validatorIndex} (requested ${since()} s ago): ${r.status}, ${exit}`;
  }
}

/** The validator's status and exit epoch (undefined while it has none: FAR_FUTURE_EPOCH). */
async function validatorOf(
  beaconUrl: string,
  index: number,
): Promise<{ status: string; exitEpoch?: number } | undefined> {
  try {
    const r = await fetch(`${beaconUrl}/eth/v1/beacon/states/head/validators/${index}`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (!r.ok) return undefined;
    const body = (await r.json()) as { data?: { status?: string; validator?: { exit_epoch?: string } } };
    const exitEpoch = Number(body.data?.validator?.exit_epoch);
    return {
      status: body.data?.status ?? 'unknown',
      // FAR_FUTURE_EPOCH (2^64 - 1) parses to a number far above 2^53
      ...(Number.isSafeInteger(exitEpoch) ? { exitEpoch } : {}),
    };
  } catch {
    return undefined;
  }
}
