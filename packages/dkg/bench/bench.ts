// Benchmark of @diva-dvt/dkg: CPU time per member per validator of a 16-member ceremony (t = 11) at
// k = 1, 10, 100 validators and of a 16 -> 16 resharing, with trusted-dealer splitting of the same k
// measured in the same run as the baseline. Members use the native crypto an operator runtime injects
// from `@diva-dvt/dkg/node` (X25519 and secp256k1 verification through OpenSSL); k = 1 is also
// measured with the package's pure defaults (noble) for reference.
// One JSON document on stdout; progress on stderr.
//   node bench/bench.ts [--quick]
import { cpus } from 'node:os';
import { createSeededRandom, SecretKey } from '@diva-dvt/bls-threshold';
import { type CeremonyConfig, importWithTrustedDealer } from '../src/index.ts';
import { createNodeSecp256k1Verifier, nodeX25519 } from '../src/node.ts';
import { ceremonyId, createOperators, freshConfig, runCeremony } from '../test/helpers/network.ts';

const native = { keyAgreement: nodeX25519, verifier: createNodeSecp256k1Verifier };

const quick = process.argv.includes('--quick');
const n = 16;
const t = 11;
const ks = quick ? [1, 2] : [1, 10, 100];

interface Result {
  name: string;
  unit: 's';
  median: number;
  p99: number;
  n: number;
}
const results: Result[] = [];
const round = (x: number) => Math.round(x * 10_000) / 10_000;
function record(name: string, samples: number[]): Result {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const r: Result = { name, unit: 's', median: round(q(0.5)), p99: round(q(0.99)), n: samples.length };
  results.push(r);
  process.stderr.write(`  ${name.padEnd(44)} median ${r.median} s  p99 ${r.p99} s  (n=${r.n})\n`);
  return r;
}

function progress(label: string) {
  let last = '';
  return (
    member: number,
    events: readonly { type: string; phase?: string; received?: number; expected?: number }[],
  ) => {
    if (member !== 0) return;
    for (const e of events) {
      if (e.type !== 'progress') continue;
      const line = `${label}: ${e.phase} ${e.received}/${e.expected}`;
      if (line !== last) process.stderr.write(`\r  ${line.padEnd(60)}`);
      last = line;
    }
  };
}

const perMemberPerValidator: Record<number, number> = {};
const perMemberTotal: Record<number, number> = {};
const dealerPerValidator: Record<number, number> = {};
let nobleK1 = 0;

// Warm-up: one small ceremony so that the first measured one does not pay for JIT compilation.
{
  const ops = createOperators(4, 'bench-warm-up');
  runCeremony(freshConfig(ops, 3, 1, 'bench-warm-up'), ops, native);
  runCeremony(freshConfig(ops, 3, 1, 'bench-warm-up-noble'), ops);
}

for (const k of ks) {
  const ops = createOperators(n, `bench-${k}`);
  const start = performance.now();
  const run = runCeremony(freshConfig(ops, t, k, `bench-${k}`), ops, {
    ...native,
    onEvents: progress(`dkg k=${k}`),
  });
  process.stderr.write(
    `\r  dkg k=${k}: ${((performance.now() - start) / 1000).toFixed(1)} s wall for ${n} members\n`,
  );
  if (!run.members.every((m) => m.phase() === 'done')) throw new Error(`ceremony k=${k} did not finish`);
  const seconds = run.timings.map((ms) => ms / 1000);
  perMemberPerValidator[k] = record(
    `dkg16.k${k}.cpuPerMemberPerValidator`,
    seconds.map((s) => s / k),
  ).median;
  perMemberTotal[k] = record(`dkg16.k${k}.cpuPerMember`, seconds).median;
  if (k === 1) {
    const pure = runCeremony(freshConfig(ops, t, 1, 'bench-1-noble'), ops, {
      onEvents: progress('dkg k=1 (pure: noble X25519 and secp256k1)'),
    });
    process.stderr.write('\n');
    nobleK1 = record(
      'dkg16.k1.cpuPerMemberPerValidator.pureNoble',
      pure.timings.map((ms) => ms / 1000),
    ).median;
  }

  const keys = Array.from({ length: k }, (_, i) => SecretKey.random(createSeededRandom(`dealer-${k}-${i}`)));
  const samples: number[] = [];
  for (let rep = 0; rep < (k === 100 ? 3 : 7); rep++) {
    const s = performance.now();
    importWithTrustedDealer({
      ceremonyId: ceremonyId('dealer'),
      secretKeys: keys,
      threshold: t,
      shareCount: n,
    });
    samples.push((performance.now() - s) / 1000 / k);
  }
  dealerPerValidator[k] = record(`dealer16.k${k}.cpuPerValidator`, samples).median;
}

// Resharing 16 -> 16 (same committee, fresh shares of the same key), k = 1.
{
  const ops = createOperators(n, 'bench-reshare');
  const before = importWithTrustedDealer({
    ceremonyId: ceremonyId('bench-reshare-genesis'),
    secretKeys: [SecretKey.random(createSeededRandom('bench-reshare-key'))],
    threshold: t,
    shareCount: n,
  });
  const config: CeremonyConfig = {
    ceremonyId: ceremonyId('bench-reshare'),
    threshold: t,
    validatorCount: 1,
    recipients: ops.map((o) => o.participant),
    dealers: ops.map((o) => o.participant),
    reshare: {
      previousThreshold: t,
      validators: [
        {
          groupPublicKey: before[0]!.validators[0]!.groupPublicKey,
          publicShares: before[0]!.validators[0]!.publicShares,
        },
      ],
    },
  };
  const run = runCeremony(config, ops, { ...native, onEvents: progress('reshare 16->16') }, (i) => [
    before[i]!.validators[0]!.secretShare!,
  ]);
  process.stderr.write('\n');
  if (!run.members.every((m) => m.phase() === 'done')) throw new Error('resharing did not finish');
  record(
    'reshare16to16.k1.cpuPerMemberPerValidator',
    run.timings.map((ms) => ms / 1000),
  );
}

const kMax = ks.at(-1)!;
const ratios: Record<string, number> = {
  [`k${kMax}_over_k1`]: round(perMemberTotal[kMax]! / perMemberTotal[1]!),
  dkg_over_dealer_k1: round(perMemberPerValidator[1]! / dealerPerValidator[1]!),
};
const figures = {
  committee: { n, t },
  quick,
  cpuSecondsPerMemberPerValidator_k1: perMemberPerValidator[1],
  cpuSecondsPerMemberPerValidator_k1_pureNoble: nobleK1,
  [`cpuSecondsPerMemberPerValidator_k${kMax}`]: perMemberPerValidator[kMax],
  targets: { cpuSecondsPerMemberPerValidator_k1: 0.25, k100_over_k1: 110 },
  note: 'ratios.kN_over_k1 is the whole per-member cost at k = N over k = 1 (linear would be N)',
};
process.stdout.write(
  `${JSON.stringify({ package: '@diva-dvt/dkg', node: process.version, cpu: cpus()[0]?.model ?? 'unknown', results, ratios, figures }, null, 2)}\n`,
);
