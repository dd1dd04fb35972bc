// `diva-node devnet --fault chaos:PCT@E` and `--fault rounds:PCT@E`: from epoch E on, at the start of
// every epoch each operator is independently up with probability PCT% (a seeded generator, so a run
// can be repeated). With `chaos` one not up is killed (SIGKILL, a crash) and restarted when drawn up
// again: the devnet's version of the simulator's uptime experiment (docs/img/validator-uptime.svg;
// the summary's `uptime` (./uptime.ts) sets the node uptime measured against the validators'). With
// `rounds` one not up gets one of three faults for the epoch, drawn alike: a crash (as above), a
// partition (the node cuts itself off from every p2p peer for the epoch: SIGUSR2 with the node's
// `faultInjection.isolateOnSignalMs`; a node restarted this epoch is only restarted, since it may
// not handle the signal yet), or a slow beacon node (its proxy, ./delay-proxy.ts, holds every request
// for `slowMs`). A crashed or partitioned member is down for its committee; a slow one is not.
import type { DelayProxy } from './delay-proxy.ts';
import type { NodeProcess } from './processes.ts';

export interface ChaosFault {
  readonly kind: 'chaos';
  /** Probability (0..1) that an operator is up in an epoch. */
  readonly uptime: number;
  readonly fromEpoch: number;
  readonly seed: number;
  /** `rounds`: crashes, partitions and slow beacon nodes; otherwise crashes only. */
  readonly mixed: boolean;
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
  /** Crashed or partitioned: down for their committees. */
  readonly down: readonly number[];
  readonly crashed: readonly number[];
  readonly partitioned: readonly number[];
  readonly slow: readonly number[];
}

type Fate = 'up' | 'crashed' | 'partitioned' | 'slow';

export class ChaosRunner {
  readonly #fault: ChaosFault;
  readonly #nodes: readonly NodeProcess[];
  readonly #proxies: readonly DelayProxy[] | undefined;
  readonly #slowMs: number;
  readonly #say: (phase: string, detail: string) => void;
  readonly #random: () => number;
  readonly records: ChaosRecord[] = [];
  #lastEpoch = -1;
  #fates: Fate[];

  constructor(
    fault: ChaosFault,
    nodes: readonly NodeProcess[],
    say: (phase: string, detail: string) => void,
    /** `rounds`: each operator's beacon proxy, and the delay of a slow one. */
    slow?: { readonly proxies: readonly DelayProxy[]; readonly slowMs: number },
  ) {
    this.#fault = fault;
    this.#nodes = nodes;
    this.#proxies = slow?.proxies;
    this.#slowMs = slow?.slowMs ?? 0;
    this.#say = say;
    this.#random = seededRandom(fault.seed);
    this.#fates = nodes.map(() => 'up');
  }

  #draw(): Fate {
    if (this.#random() < this.#fault.uptime) return 'up';
    if (!this.#fault.mixed || this.#proxies === undefined) return 'crashed';
    const r = this.#random();
    return r < 1 / 3 ? 'crashed' : r < 2 / 3 ? 'partitioned' : 'slow';
  }

  /** Draws each operator's fate in `epoch` (once per epoch from `fromEpoch`) and applies it. */
  async step(epoch: number): Promise<void> {
    if (epoch < this.#fault.fromEpoch || epoch <= this.#lastEpoch) return;
    this.#lastEpoch = epoch;
    const before = this.#fates;
    const fates = this.#nodes.map(() => this.#draw());
    // a node restarted now may not handle SIGUSR2 yet (its default ends the process): only restarted
    for (let i = 0; i < fates.length; i++)
      if (fates[i] === 'partitioned' && before[i] === 'crashed') fates[i] = 'up';
    const kill = fates.flatMap((f, i) => (f === 'crashed' && before[i] !== 'crashed' ? [i] : []));
    const restart = fates.flatMap((f, i) => (f !== 'crashed' && before[i] === 'crashed' ? [i] : []));
    await Promise.all(kill.map((i) => this.#nodes[i]!.kill('SIGKILL')));
    for (const i of restart) this.#nodes[i]!.start();
    fates.forEach((f, i) => {
      if (f === 'partitioned') this.#nodes[i]!.signal('SIGUSR2');
      this.#proxies?.[i]?.setDelay(f === 'slow' ? this.#slowMs : 0);
    });
    this.#fates = fates;
    const of = (fate: Fate) => fates.flatMap((f, i) => (f === fate ? [i] : []));
    const record: ChaosRecord = {
      epoch,
      down: fates.flatMap((f, i) => (f === 'crashed' || f === 'partitioned' ? [i] : [])),
      crashed: of('crashed'),
      partitioned: of('partitioned'),
      slow: of('slow'),
    };
    this.records.push(record);
    const parts = [
      kill.length > 0 ? `killed ${kill.join(', ')}` : '',
      restart.length > 0 ? `restarted ${restart.join(', ')}` : '',
      record.partitioned.length > 0 ? `partitioned ${record.partitioned.join(', ')}` : '',
      record.slow.length > 0 ? `slow beacon node for ${record.slow.join(', ')}` : '',
    ].filter((p) => p !== '');
    this.#say(
      'chaos',
      `epoch ${epoch}: ${record.down.length} of ${this.#nodes.length} operators down${parts.length > 0 ? `, ${parts.join(', ')}` : ''}`,
    );
  }
}
