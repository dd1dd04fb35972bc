// `diva-node devnet --fault chaos:PCT@E`: from epoch E on, at the start of every epoch each operator is
// independently up with probability PCT% (a seeded generator, so a run can be repeated): one going
// down is killed (SIGKILL, a crash), one coming back is restarted. It is the devnet's version of the
// simulator's uptime experiment (docs/img/validator-uptime.svg): the summary's `uptime` (./uptime.ts)
// sets the node uptime measured against the validators' measured uptime, and
// `pnpm --filter diva-node uptime-chart` puts runs beside the binomial model.
import type { NodeProcess } from './processes.ts';

export interface ChaosFault {
  readonly kind: 'chaos';
  /** Probability (0..1) that an operator is up in an epoch. */
  readonly uptime: number;
  readonly fromEpoch: number;
  readonly seed: number;
}

/** mulberry32: a small seeded generator (uniform in [0, 1)); reproducible runs, not cryptography. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface ChaosRecord {
  readonly epoch: number;
  readonly down: readonly number[];
}

export class ChaosRunner {
  readonly #fault: ChaosFault;
  readonly #nodes: readonly NodeProcess[];
  readonly #say: (phase: string, detail: string) => void;
  readonly #random: () => number;
  readonly records: ChaosRecord[] = [];
  #lastEpoch = -1;
  #down = new Set<number>();

  constructor(
    fault: ChaosFault,
    nodes: readonly NodeProcess[],
    say: (phase: string, detail: string) => void,
  ) {
    this.#fault = fault;
    this.#nodes = nodes;
    this.#say = say;
    this.#random = seededRandom(fault.seed);
  }

  /** Draws who is up in `epoch` (once per epoch from `fromEpoch`) and kills or restarts accordingly. */
  async step(epoch: number): Promise<void> {
    if (epoch < this.#fault.fromEpoch || epoch <= this.#lastEpoch) return;
    this.#lastEpoch = epoch;
    const down = new Set<number>();
    for (let i = 0; i < this.#nodes.length; i++) if (this.#random() >= this.#fault.uptime) down.add(i);
    const kill = [...down].filter((i) => !this.#down.has(i));
    const restart = [...this.#down].filter((i) => !down.has(i));
    await Promise.all(kill.map((i) => this.#nodes[i]!.kill('SIGKILL')));
    for (const i of restart) this.#nodes[i]!.start();
    this.#down = down;
    this.records.push({ epoch, down: [...down].sort((a, b) => a - b) });
    this.#say(
      'chaos',
      `epoch ${epoch}: ${down.size} of ${this.#nodes.length} operators down${kill.length > 0 ? `, killed ${kill.join(', ')}` : ''}${restart.length > 0 ? `, restarted ${restart.join(', ')}` : ''}`,
    );
  }
}
