// `diva-node devnet --fault ...`, applied to the first validator's committee as epochs pass:
// - `kill:K@E[-R]`: at epoch E kill (SIGKILL, a crash) K members and, with R, restart them at epoch R.
//   A committee of n with threshold t keeps signing while at most n - t members are down (5 of 16):
//   the summary records the first validator's balance at the start of every epoch, so its rewards
//   show whether it kept attesting while its members were down.
// - `equivocate@E`: at epoch E restart the committee's first member with fault injection on
//   (`faultInjection.equivocateAsLeader`): as round 1's leader it proposes two values. The others keep
//   the two signed proposals and prove them on chain (contracts-driven devnet): the operator is
//   slashed and ejected and a resharing replaces it, while the validator keeps attesting. The
//   summary records when the chain saw each step (`chain` below).
import { readFile, writeFile } from 'node:fs/promises';
import { DivaNodeError } from '../errors.ts';
import { type ChaosFault, ChaosRunner } from './chaos.ts';
import type { ContractsDevnet } from './contracts-chain.ts';
import type { DelayProxy } from './delay-proxy.ts';
import type { NodeProcess } from './processes.ts';
import type { DevnetOperator } from './setup.ts';

export interface KillFault {
  readonly kind: 'kill';
  readonly operators: number;
  readonly atEpoch: number;
  readonly restartAtEpoch: number | undefined;
}

export interface EquivocateFault {
  readonly kind: 'equivocate';
  readonly atEpoch: number;
}

export type DevnetFault = KillFault | EquivocateFault | ChaosFault;

/** The seed of `chaos:` runs (the same draws every run; the summary names it). */
const CHAOS_SEED = 0x5eed;

export function parseFault(value: string | undefined, committeeSize: number): DevnetFault | undefined {
  if (value === undefined) return undefined;
  const fail = (reason: string): never => {
    throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: '--fault', reason });
  };
  const chaos = /^(chaos|rounds):(\d+)@(\d+)$/.exec(value);
  if (chaos !== null) {
    const pct = Number(chaos[2]);
    if (pct < 1 || pct > 100) fail(`the uptime must be a percentage from 1 to 100, got ${pct}`);
    return {
      kind: 'chaos',
      uptime: pct / 100,
      fromEpoch: Number(chaos[3]),
      seed: CHAOS_SEED,
      mixed: chaos[1] === 'rounds',
    };
  }
  const equivocate = /^equivocate@(\d+)$/.exec(value);
  if (equivocate !== null) return { kind: 'equivocate', atEpoch: Number(equivocate[1]) };
  const m = /^kill:(\d+)@(\d+)(?:-(\d+))?$/.exec(value);
  if (m === null)
    return fail(
      `expected kill:K@EPOCH, kill:K@EPOCH-RESTART_EPOCH, equivocate@EPOCH, chaos:PCT@EPOCH or rounds:PCT@EPOCH, got ${JSON.stringify(value)}`,
    );
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
  readonly action: 'killed' | 'restarted' | 'equivocating' | 'down';
  readonly operators: readonly number[];
  /** `rounds`: of those down, the crashed and the partitioned; and the slow beacon nodes' operators. */
  readonly crashed?: readonly number[];
  readonly partitioned?: readonly number[];
  readonly slow?: readonly number[];
}

/** Applies the fault as epochs pass; `victims` are the operator indices of the committee to hit. */
export class FaultRunner {
  readonly #fault: DevnetFault;
  readonly #nodes: readonly NodeProcess[];
  readonly #victims: () => readonly number[];
  readonly #say: (phase: string, detail: string) => void;
  readonly records: FaultRecord[] = [];
  #killed: number[] | undefined;
  #restarted = false;
  #chaos: ChaosRunner | undefined;
  readonly #slow: { readonly proxies: readonly DelayProxy[]; readonly slowMs: number } | undefined;

  constructor(
    fault: DevnetFault,
    nodes: readonly NodeProcess[],
    victims: () => readonly number[],
    say: (phase: string, detail: string) => void,
    /** `rounds`: each operator's beacon proxy and a slow one's delay. */
    slow?: { readonly proxies: readonly DelayProxy[]; readonly slowMs: number },
  ) {
    this.#fault = fault;
    this.#nodes = nodes;
    this.#victims = victims;
    this.#say = say;
    this.#slow = slow;
  }

  async step(epoch: number): Promise<void> {
    const f = this.#fault;
    if (f.kind === 'equivocate') return this.#equivocate(f, epoch);
    if (f.kind === 'chaos') {
      this.#chaos ??= new ChaosRunner(f, this.#nodes, this.#say, this.#slow);
      const before = this.#chaos.records.length;
      await this.#chaos.step(epoch);
      for (const r of this.#chaos.records.slice(before)) {
        this.records.push({
          epoch: r.epoch,
          action: 'down',
          operators: r.down,
          ...(f.mixed ? { crashed: r.crashed, partitioned: r.partitioned, slow: r.slow } : {}),
        });
      }
      return;
    }
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

  /** Restarts the committee's first member with `faultInjection.equivocateAsLeader` on. */
  async #equivocate(f: EquivocateFault, epoch: number): Promise<void> {
    if (this.#killed !== undefined || epoch < f.atEpoch) return;
    const victim = this.#victims()[0];
    if (victim === undefined) return;
    this.#killed = [victim];
    const node = this.#nodes[victim]!;
    const config = JSON.parse(await readFile(node.configFile, 'utf8')) as Record<string, unknown>;
    config.faultInjection = { equivocateAsLeader: true };
    await node.kill('SIGTERM');
    await writeFile(node.configFile, `${JSON.stringify(config, null, 2)}\n`);
    node.start();
    this.records.push({ epoch, action: 'equivocating', operators: [victim] });
    this.#say('fault', `epoch ${epoch}: operator ${victim} restarted as an equivocating leader`);
  }
}

/** The chain's answer to an equivocating operator: the epochs at which each step was first seen. */
export interface PunishmentRecord {
  readonly operator: number;
  readonly address: string;
  readonly equivocatingFromEpoch: number;
  /** Proven on chain: slashed and ejected (EvidenceSlasher). */
  ejectedAtEpoch?: number;
  /** The first validator's key reshared to a committee without it (same public key). */
  replacedAtEpoch?: number;
}

export class PunishmentWatch {
  readonly #say: (phase: string, detail: string) => void;
  record: PunishmentRecord | undefined;

  constructor(say: (phase: string, detail: string) => void) {
    this.#say = say;
  }

  step(
    epoch: number,
    faults: FaultRunner,
    chain: ContractsDevnet,
    operators: readonly DevnetOperator[],
  ): void {
    const started = faults.records.find((r) => r.action === 'equivocating');
    const index = started?.operators[0];
    if (started === undefined || index === undefined) return;
    const address = operators[index]!.identity.address;
    this.record ??= { operator: index, address, equivocatingFromEpoch: started.epoch };
    const r = this.record;
    const seen = chain.punishment(address);
    if (r.ejectedAtEpoch === undefined && seen.ejected) {
      r.ejectedAtEpoch = epoch;
      this.#say(
        'fault',
        `epoch ${epoch}: operator ${index} proven equivocating on chain, slashed and ejected`,
      );
    }
    if (r.replacedAtEpoch === undefined && seen.firstGeneration > 0 && !seen.inFirstCommittee) {
      r.replacedAtEpoch = epoch;
      this.#say(
        'fault',
        `epoch ${epoch}: the first validator reshared without operator ${index} (generation ${seen.firstGeneration})`,
      );
    }
  }
}
