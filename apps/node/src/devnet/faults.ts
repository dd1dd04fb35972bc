// `diva-node devnet --fault kill:K@E[-R]`: at epoch E the devnet kills (SIGKILL, a crash) K members of
// the first validator's committee and, with R, restarts them at epoch R. A committee of n with
// threshold t keeps signing while at most n - t members are down (5 of 16): the summary records the
// first validator's balance at the start of every epoch, so its rewards show whether it kept
// attesting while its members were down.
import { DivaNodeError } from '../errors.ts';
import type { NodeProcess } from './processes.ts';

export interface KillFault {
  readonly kind: 'kill';
  readonly operators: number;
  readonly atEpoch: number;
  readonly restartAtEpoch: number | undefined;
}

export function parseFault(value: string | undefined, committeeSize: number): KillFault | undefined {
  if (value === undefined) return undefined;
  const m = /^kill:(\d+)@(\d+)(?:-(\d+))?$/.exec(value);
  const fail = (reason: string): never => {
    throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: '--fault', reason });
  };
  if (m === null)
    return fail(`expected kill:K@EPOCH or kill:K@EPOCH-RESTART_EPOCH, got ${JSON.stringify(value)}`);
  const [operators, atEpoch, restart] = [
    Number(m[1]),
    Number(m[2]),
    m[3] === undefined ? undefined : Number(m[3]),
  ];
  if (operators < 1 || operators > committeeSize)
    fail(`K must be from 1 to the committee size (${committeeSize}), got ${operators}`);
  if (restart !== undefined && restart <= atEpoch)
    fail(`the restart epoch ${restart} must follow ${atEpoch}`);
  return { kind: 'kill', operators, atEpoch, restartAtEpoch: restart };
}

/** What happened, for the summary. */
export interface FaultRecord {
  readonly epoch: number;
  readonly action: 'killed' | 'restarted';
  readonly operators: readonly number[];
}

/** Applies the fault as epochs pass; `victims` are the operator indices of the committee to hit. */
export class FaultRunner {
  readonly #fault: KillFault;
  readonly #nodes: readonly NodeProcess[];
  readonly #victims: () => readonly number[];
  readonly #say: (phase: string, detail: string) => void;
  readonly records: FaultRecord[] = [];
  #killed: number[] | undefined;
  #restarted = false;

  constructor(
    fault: KillFault,
    nodes: readonly NodeProcess[],
    victims: () => readonly number[],
    say: (phase: string, detail: string) => void,
  ) {
    this.#fault = fault;
    this.#nodes = nodes;
    this.#victims = victims;
    this.#say = say;
  }

  async step(epoch: number): Promise<void> {
    const f = this.#fault;
    if (this.#killed === undefined && epoch >= f.atEpoch) {
      this.#killed = this.#victims().slice(0, f.operators);
      await Promise.all(this.#killed.map((i) => this.#nodes[i]!.kill('SIGKILL')));
      this.records.push({ epoch, action: 'killed', operators: this.#killed });
      this.#say('fault', `epoch ${epoch}: killed operators ${this.#killed.join(', ')} (SIGKILL)`);
    }
    if (
      this.#killed !== undefined &&
      !this.#restarted &&
      f.restartAtEpoch !== undefined &&
      epoch >= f.restartAtEpoch
    ) {
      this.#restarted = true;
      for (const i of this.#killed) this.#nodes[i]!.start();
      this.records.push({ epoch, action: 'restarted', operators: this.#killed });
      this.#say('fault', `epoch ${epoch}: restarted operators ${this.#killed.join(', ')}`);
    }
  }
}
