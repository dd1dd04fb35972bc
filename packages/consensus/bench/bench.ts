// Benchmark of @diva-dvt/consensus: the rotational protocol against the QBFT baseline on identical
// simulated networks (16 members, t = 11, 50 ms one-way latency with 10 ms jitter), per scenario:
// all honest, 5 crashed, 5% loss, equivocating leaders. Latency is virtual time from duty start to
// the first honest member holding the combined signature. Also: simulator throughput with stand-in
// crypto and with real threshold BLS, each figure in a fresh process. One JSON document on stdout;
// progress on stderr.
//   node bench/bench.ts [--quick]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import * as blst from '@chainsafe/blst';
import {
  createBls,
  createBlstBackend,
  createSeededRandom,
  createThresholdScheme,
  SecretKey,
  type Signature,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import {
  createMessageAllocator,
  type PartialScheme,
  type ProtocolDescriptor,
  qbftProtocol,
  rotationalProtocol,
} from '../src/index.ts';
import { createRng, type Faults, type SimulationConfig, simulateInstance } from '../src/sim/index.ts';
import { measureCrossRoundSplit } from './cross-round.ts';

const quick = process.argv.includes('--quick');
const count = quick ? 20 : 400;
const n = 16;
const t = 11;
const network = { latencyMs: 50, jitterMs: 10 };
const timeouts = { baseMs: 1000, growth: 1.5, maxMs: 8000 };

interface Result {
  name: string;
  unit: string;
  median: number;
  p99: number;
  n: number;
}
const results: Result[] = [];
const round = (x: number) => Math.round(x * 100) / 100;
const q = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;

const scenarios: Record<string, (i: number) => Partial<SimulationConfig>> = {
  honest: () => ({}),
  crash5: (i) => {
    const rng = createRng(1000 + i);
    const crashed = new Set<number>();
    while (crashed.size < 5) crashed.add(1 + rng.int(n));
    return { faults: { crashes: new Map([...crashed].map((m) => [m, { atMs: 0 }])) } };
  },
  loss5: () => ({ network: { ...network, loss: 0.05 } }),
  equivocatingLeaders: () => ({
    faults: (leaders: readonly number[]): Faults => ({
      byzantine: new Map(leaders.slice(0, 2).map((l) => [l, 'equivocating-leader' as const])),
    }),
  }),
};

// Throughput of the state machines in the simulator, honest 16-member duties back to back on one
// core: crypto excluded (the stand-in scheme and tags) and included (threshold BLS partials with
// blst: every member signs, checks each partial it receives, combines and checks the result). A
// duty runs 16 state machines (one per member); both counts are reported. Each figure is measured
// in a fresh process (`--measure <protocol> <crypto> <duties>` prints it): after the latency
// scenarios, code shared by both protocols and every Byzantine strategy runs measurably slower than
// in a process simulating one kind of duty, which is how a simulation run or a runtime uses it.
type Crypto = 'excluded' | 'included' | 'includedOnCombine';
interface Throughput {
  dutiesPerSecond: number;
  stateMachinesPerSecond: number;
  fastestBatchDutiesPerSecond: number;
  duties: number;
}
function measureThroughput(protocol: ProtocolDescriptor, crypto: Crypto, duties: number): Throughput {
  const bls = createBls({ backend: createBlstBackend(blst) });
  const split = splitSecretKey(SecretKey.random(createSeededRandom('bench')), {
    threshold: t,
    shareCount: n,
  });
  // One member's scheme from bls-threshold, typed as this package's PartialScheme (the two must match).
  const blsScheme = (member: number): PartialScheme<Signature, Signature> =>
    createThresholdScheme(bls, {
      shareIndex: member,
      secretShare: split.shares[member - 1]!.secretKey,
      publicShares: split.publicShares.map((p) => p.publicKey),
      groupPublicKey: split.groupPublicKey,
      threshold: split.threshold,
    });
  // One allocator for every simulated duty of the measurement (as a runtime shares one).
  const allocator = createMessageAllocator();
  const config = (checkSignatures: boolean): SimulationConfig => ({
    protocol,
    allocator,
    n,
    t,
    seed: 11,
    network,
    timeouts,
    horizonMs: 120_000,
    checkSignatures,
    ...(crypto === 'excluded'
      ? {}
      : { scheme: blsScheme as (member: number) => PartialScheme<unknown, unknown> }),
    ...(crypto === 'includedOnCombine' ? { partialVerification: 'on-combine' as const } : {}),
  });
  // Warm-up, with every decided signature checked by the simulator.
  const warm = crypto === 'excluded' ? 1000 : 2;
  for (let i = 0; i < warm; i++) {
    const r = simulateInstance(config(true), 1_000_000 + i);
    if (!r.agreement || !r.signaturesValid || r.firstDecisionMs === undefined)
      throw new Error(`${protocol.name} honest warm-up duty ${i} did not decide correctly`);
  }
  // Measured: the members' work only (the simulator's own signature checks off with real crypto), in
  // batches: the total, and the fastest batch (a shared machine's noise only ever slows one down).
  // CPU time of the whole process (garbage collection threads included).
  const batch = Math.max(1, Math.floor(duties / 10));
  let seconds = 0;
  let fastest = 0;
  for (let done = 0; done < duties; done += batch) {
    const cpu0 = process.cpuUsage();
    for (let i = done; i < Math.min(duties, done + batch); i++) {
      const r = simulateInstance(config(crypto === 'excluded'), i);
      if (!r.agreement || r.firstDecisionMs === undefined)
        throw new Error(`${protocol.name} honest duty ${i} did not decide`);
    }
    const c = process.cpuUsage(cpu0);
    const batchSeconds = (c.user + c.system) / 1e6;
    seconds += batchSeconds;
    fastest = Math.max(fastest, (Math.min(duties, done + batch) - done) / batchSeconds);
  }
  const perSecond = duties / seconds;
  return {
    dutiesPerSecond: round(perSecond),
    stateMachinesPerSecond: round(perSecond * n),
    fastestBatchDutiesPerSecond: round(fastest),
    duties,
  };
}
const protocols: Record<string, ProtocolDescriptor> = { rotational: rotationalProtocol, qbft: qbftProtocol };
const measuring = process.argv.indexOf('--measure');
if (measuring >= 0) {
  const [name, crypto, duties] = process.argv.slice(measuring + 1);
  const protocol = protocols[name ?? ''];
  if (
    !protocol ||
    !['excluded', 'included', 'includedOnCombine'].includes(crypto ?? '') ||
    !(Number(duties) > 0)
  )
    throw new Error(
      `--measure <rotational|qbft> <excluded|included|includedOnCombine> <duties>, got ${process.argv.slice(measuring + 1).join(' ')}`,
    );
  process.stdout.write(`${JSON.stringify(measureThroughput(protocol, crypto as Crypto, Number(duties)))}\n`);
  process.exit(0);
}

const summary: Record<
  string,
  Record<
    string,
    { median: number; p99: number; decisionRate: number; rounds: number; messages: number; bytes: number }
  >
> = {};
const cdf: Record<string, number[]> = {};

for (const protocol of [rotationalProtocol, qbftProtocol] as ProtocolDescriptor[]) {
  summary[protocol.name] = {};
  for (const [scenario, make] of Object.entries(scenarios)) {
    const start = performance.now();
    const latencies: number[] = [];
    let decided = 0;
    let rounds = 0;
    let messages = 0;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const r = simulateInstance(
        { protocol, n, t, seed: 7, network, timeouts, horizonMs: 120_000, ...make(i) },
        i,
      );
      if (r.firstDecisionMs !== undefined) {
        decided++;
        latencies.push(r.firstDecisionMs);
      }
      rounds += r.rounds;
      messages += r.messages;
      bytes += r.bytes;
      if (i % 50 === 49) process.stderr.write(`\r  ${protocol.name} ${scenario}: ${i + 1}/${count}`);
    }
    latencies.sort((a, b) => a - b);
    const entry = {
      median: round(q(latencies, 0.5)),
      p99: round(q(latencies, 0.99)),
      decisionRate: round(decided / count),
      rounds: round(rounds / count),
      messages: round(messages / count),
      bytes: round(bytes / count),
    };
    summary[protocol.name]![scenario] = entry;
    cdf[`${protocol.name}.${scenario}`] = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((p) =>
      round(q(latencies, p)),
    );
    results.push({
      name: `${protocol.name}.${scenario}.latency`,
      unit: 'ms (virtual)',
      median: entry.median,
      p99: entry.p99,
      n: decided,
    });
    const wall = performance.now() - start;
    results.push({
      name: `${protocol.name}.${scenario}.simulatorInstancesPerSecond`,
      unit: 'instances/s',
      median: round((count / wall) * 1000),
      p99: round((count / wall) * 1000),
      n: count,
    });
    process.stderr.write(
      `\r  ${protocol.name} ${scenario}: median ${entry.median} ms, p99 ${entry.p99} ms, decided ${entry.decisionRate}, ${round(wall)} ms wall\n`,
    );
  }
}

// Equivocation figures (issue 14): k operators (1 or 5) that equivocate whenever they lead (value A to
// odd members, B to even ones) and withhold their own partials; the fraction of duties that fail
// (no honest member holds the signature within 12 s, a slot) over 800 duties (100 with --quick), for
// both protocols: before anything is known, with members abstaining from them (fresh evidence
// gossiped, `abstainFrom`), and once their evidence is final and they are excluded
// (`excludedLeaders`). `ledRound1` counts the duties whose round-1 leader is one of them: what a
// proven equivocator can cost at most before its evidence is final.
const equivocationDuties = quick ? 100 : 800;
const equivocation: Record<string, Record<string, number>> = {};
for (const protocol of [rotationalProtocol, qbftProtocol] as ProtocolDescriptor[]) {
  for (const k of [1, 5]) {
    const equivocators = [1, 4, 7, 10, 13].slice(0, k);
    const entry: Record<string, number> = { duties: equivocationDuties };
    for (const mode of ['before', 'abstaining', 'excluded'] as const) {
      let failed = 0;
      let ledRound1 = 0;
      for (let i = 0; i < equivocationDuties; i++) {
        const r = simulateInstance(
          {
            protocol,
            n,
            t,
            seed: 11,
            network,
            timeouts,
            horizonMs: 12_000,
            faults: (leaders: readonly number[]): Faults => {
              if (equivocators.includes(leaders[0]!)) ledRound1++;
              return {
                byzantine: new Map(equivocators.map((m) => [m, 'equivocating-withholding' as const])),
              };
            },
            ...(mode === 'excluded' ? { excludedLeaders: equivocators } : {}),
            ...(mode === 'abstaining' ? { abstainFrom: equivocators } : {}),
          },
          i,
        );
        if (r.firstDecisionMs === undefined) failed++;
      }
      entry[`failed_${mode}`] = failed;
      entry[`failedFraction_${mode}`] = round(failed / equivocationDuties);
      entry.ledRound1 = ledRound1;
    }
    equivocation[`${protocol.name}.equivocators${k}`] = entry;
    process.stderr.write(`  ${protocol.name}, ${k} equivocating: ${JSON.stringify(entry)}\n`);
  }
}

// The cross-round split (issue 14, item 3): bench/cross-round.ts; 800 duties per figure (100 with --quick).
const crossRoundSplit = measureCrossRoundSplit([rotationalProtocol, qbftProtocol], quick ? 100 : 800, {
  n,
  t,
  network,
  timeouts,
});

const throughput: Record<string, Throughput> = {};
for (const name of Object.keys(protocols)) {
  for (const crypto of ['excluded', 'included', 'includedOnCombine'] as const) {
    const duties = crypto === 'excluded' ? (quick ? 300 : 5000) : quick ? 2 : 20;
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, import.meta.filename, '--measure', name, crypto, String(duties)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const figure = JSON.parse(out) as Throughput;
    const label = { excluded: 'Excluded', included: 'Included', includedOnCombine: 'IncludedOnCombine' }[
      crypto
    ];
    const key = `${name}.honest.throughput.crypto${label}`;
    throughput[key] = figure;
    results.push({
      name: key,
      unit: 'duties/s (CPU time)',
      median: figure.dutiesPerSecond,
      p99: figure.dutiesPerSecond,
      n: duties,
    });
    process.stderr.write(
      `  ${key}: ${figure.dutiesPerSecond} duties/s (fastest batch ${figure.fastestBatchDutiesPerSecond}), ${figure.stateMachinesPerSecond} state machines/s\n`,
    );
  }
}

const ratios = {
  rotational_over_qbft_median_honest: round(
    summary.rotational!.honest!.median / summary.qbft!.honest!.median,
  ),
  rotational_over_qbft_p99_crash5: round(summary.rotational!.crash5!.p99 / summary.qbft!.crash5!.p99),
  rotational_over_qbft_median_loss5: round(summary.rotational!.loss5!.median / summary.qbft!.loss5!.median),
  decisionRate_equivocating_rotational: summary.rotational!.equivocatingLeaders!.decisionRate,
  decisionRate_equivocating_qbft: summary.qbft!.equivocatingLeaders!.decisionRate,
};
const figures = {
  committee: { n, t },
  network,
  timeouts,
  instancesPerScenario: count,
  quick,
  summary,
  latencyQuantiles: { quantiles: [0.1, 0.25, 0.5, 0.75, 0.9, 0.99], ...cdf },
  throughput,
  equivocation,
  crossRoundSplit,
  targets: { rotational_over_qbft_median_honest: 0.55, rotational_over_qbft_p99_crash5: 1.0 },
};
process.stdout.write(
  `${JSON.stringify({ package: '@diva-dvt/consensus', node: process.version, cpu: cpus()[0]?.model ?? 'unknown', results, ratios, figures }, null, 2)}\n`,
);
