// The timeline of the validators staked after genesis (`--late-validators`): when the stake was sent,
// when the chain accepted their DKG results and confirmed their 31 ETH, and when the beacon chain
// first listed them (after the 1 ETH deposit passed Lodestar's eth1 follow distance) and activated
// them. Seconds are counted from the stake; the summary prints them, so the README's figure for a
// validator born by DKG after genesis is measured, not estimated.

/** Seconds after the stake when each step was first seen (for all late validators together). */
export interface LateTimelineRecord {
  readonly validators: number;
  readonly stakedAtSec: number;
  acceptedSec?: number;
  fundedSec?: number;
  /** The beacon chain lists every late validator (status pending_* or later). */
  onBeaconChainSec?: number;
  /** Every late validator is active_ongoing. */
  activeSec?: number;
  /** Each late validator's status and balance (gwei) at the last check. */
  last: { index: number; status: string; balanceGwei?: number }[];
}

export class LateTimeline {
  readonly #indices: readonly number[];
  readonly #stakedAt: number;
  readonly #startedAt: number;
  readonly record: LateTimelineRecord;

  /** `indices`: the beacon indices the late validators will have (after every earlier deposit). */
  constructor(indices: readonly number[], runStartedAt: number) {
    this.#indices = indices;
    this.#stakedAt = Date.now();
    this.#startedAt = runStartedAt;
    this.record = {
      validators: indices.length,
      stakedAtSec: Math.round((this.#stakedAt - runStartedAt) / 1000),
      last: [],
    };
  }

  /** Updates the record from the chain's counts and the beacon node; returns a status line part. */
  async step(
    counts: { accepted: number; funded: number; total: number },
    beaconUrl: string,
  ): Promise<string> {
    const since = () => Math.round((Date.now() - this.#stakedAt) / 1000);
    const r = this.record;
    if (r.acceptedSec === undefined && counts.accepted >= counts.total) r.acceptedSec = since();
    if (r.fundedSec === undefined && counts.funded >= counts.total) r.fundedSec = since();
    r.last = await Promise.all(this.#indices.map((index) => statusOf(beaconUrl, index)));
    if (r.onBeaconChainSec === undefined && r.last.every((v) => v.status !== 'unknown'))
      r.onBeaconChainSec = since();
    if (r.activeSec === undefined && r.last.every((v) => v.status === 'active_ongoing'))
      r.activeSec = since();
    const statuses = r.last.map((v) => v.status).join(',');
    return `late validators (staked at ${r.stakedAtSec} s, ${Math.round((Date.now() - this.#startedAt) / 1000 - r.stakedAtSec)} s ago): ${statuses}`;
  }
}

async function statusOf(
  beaconUrl: string,
  index: number,
): Promise<{ index: number; status: string; balanceGwei?: number }> {
  try {
    const r = await fetch(`${beaconUrl}/eth/v1/beacon/states/head/validators/${index}`, {
      signal: AbortSignal.timeout(2_000),
    });
    if (r.status === 404) return { index, status: 'unknown' };
    const body = (await r.json()) as { data?: { status?: string; balance?: string } };
    const balance = Number(body.data?.balance);
    return {
      index,
      status: body.data?.status ?? 'unknown',
      ...(Number.isFinite(balance) ? { balanceGwei: balance } : {}),
    };
  } catch {
    return { index, status: 'unknown' };
  }
}
