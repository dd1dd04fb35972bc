// What the devnet measures of its own uptime: the share of operators up (every slot: those whose
// dashboard report answered) and the share of (validator, epoch) pairs in which a distributed
// validator's balance rose (the beacon chain rewarded its attestation; a missed or wrong one is
// penalised). The first is the simulator's "uptime of each node", the second its "validator uptime".
// Counted from `fromEpoch` on (after the start-up epochs).

export interface UptimeRecord {
  readonly fromEpoch: number;
  /** Slots sampled and the mean share of operators reporting in them. */
  readonly slots: number;
  readonly nodeUptime: number | undefined;
  /** (validator, epoch) pairs observed and those with a balance increase. */
  readonly validatorEpochs: number;
  readonly earning: number;
  readonly validatorUptime: number | undefined;
}

export class UptimeMeter {
  readonly #fromEpoch: number;
  readonly #indices: readonly number[];
  #slots = 0;
  #upShare = 0;
  #pairs = 0;
  #earning = 0;
  #lastEpoch = -1;
  #previous = new Map<number, number>();

  constructor(indices: readonly number[], fromEpoch: number) {
    this.#indices = indices;
    this.#fromEpoch = fromEpoch;
  }

  /** One slot's sample: `up` of `operators` answered. */
  slot(epoch: number, up: number, operators: number): void {
    if (epoch < this.#fromEpoch || operators === 0) return;
    this.#slots++;
    this.#upShare += up / operators;
  }

  /** At the first slot seen of `epoch`: the balances show whether the previous epoch earned. */
  async epoch(epoch: number, beaconUrl: string): Promise<void> {
    if (epoch <= this.#lastEpoch) return;
    this.#lastEpoch = epoch;
    const balances = await balancesOf(beaconUrl, this.#indices);
    if (balances === undefined) return;
    for (const [index, gwei] of balances) {
      const before = this.#previous.get(index);
      // rewards are applied at epoch boundaries for the epoch before the one ending: the change from
      // the reading at epoch e-1 to the one at e is the reward for attesting in epoch e-2
      if (before !== undefined && epoch - 1 > this.#fromEpoch) {
        this.#pairs++;
        if (gwei > before) this.#earning++;
      }
      this.#previous.set(index, gwei);
    }
  }

  get record(): UptimeRecord {
    return {
      fromEpoch: this.#fromEpoch,
      slots: this.#slots,
      nodeUptime: this.#slots === 0 ? undefined : round(this.#upShare / this.#slots),
      validatorEpochs: this.#pairs,
      earning: this.#earning,
      validatorUptime: this.#pairs === 0 ? undefined : round(this.#earning / this.#pairs),
    };
  }
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

async function balancesOf(
  beaconUrl: string,
  indices: readonly number[],
): Promise<Map<number, number> | undefined> {
  try {
    const query = indices.map((i) => `id=${i}`).join('&');
    const r = await fetch(`${beaconUrl}/eth/v1/beacon/states/head/validator_balances?${query}`, {
      signal: AbortSignal.timeout(3_000),
    });
    const body = (await r.json()) as { data?: { index?: string; balance?: string }[] };
    if (!Array.isArray(body.data)) return undefined;
    const out = new Map<number, number>();
    for (const d of body.data) {
      const index = Number(d.index);
      const balance = Number(d.balance);
      if (Number.isInteger(index) && Number.isFinite(balance)) out.set(index, balance);
    }
    return out;
  } catch {
    return undefined;
  }
}
