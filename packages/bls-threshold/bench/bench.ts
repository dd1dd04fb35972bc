// Benchmark of @diva-dvt/bls-threshold: noble (ours, the default) against @chainsafe/blst (native
// baseline, same run). Prints one JSON document on stdout; progress goes to stderr.
//   node bench/bench.ts [--quick]
import { cpus } from 'node:os';
import * as blst from '@chainsafe/blst';
import {
  type Bls,
  combinePartialSignatures,
  createBls,
  createBlstBackend,
  createNobleBackend,
  createSeededRandom,
  type PartialSignature,
  SecretKey,
  type Signature,
  splitSecretKey,
} from '../src/index.ts';

const quick = process.argv.includes('--quick');
const random = createSeededRandom('bench');
const noble = createBls({ backend: createNobleBackend() });
const native = createBls({ backend: createBlstBackend(blst) });

interface Result {
  name: string;
  unit: 'ms';
  median: number;
  p99: number;
  n: number;
}
const results: Result[] = [];

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

/** Runs `fn(i)` n times after a warm-up, timing each call. `setup(i)` runs untimed before each call. */
function measure<T>(name: string, n: number, fn: (input: T) => unknown, setup: (i: number) => T): Result {
  process.stderr.write(`  ${name.padEnd(34)} `);
  // Warm the JIT on this code path before timing it (a few calls, more for cheap operations).
  for (let w = 0; w < Math.max(3, Math.ceil(n / 5)); w++) fn(setup(-1));
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const input = setup(i);
    const start = performance.now();
    fn(input);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const r: Result = {
    name,
    unit: 'ms',
    median: round(quantile(times, 0.5)),
    p99: round(quantile(times, 0.99)),
    n,
  };
  process.stderr.write(`median ${r.median} ms  p99 ${r.p99} ms  (n=${n})\n`);
  results.push(r);
  return r;
}
const round = (x: number) => Math.round(x * 1000) / 1000;
const median = (name: string) => results.find((r) => r.name === name)!.median;

// One 11-of-16 committee and a root all partials sign.
const n = 16;
const t = 11;
const validatorKey = SecretKey.random(random);
const split = splitSecretKey(validatorKey, { threshold: t, shareCount: n, random });
const publicShares = split.publicShares.map((s) => s.publicKey);
const root = random(32);
const otherRoot = random(32);

// Random 11-of-16 subsets, one per iteration.
function randomSubset(): number[] {
  const idx = Array.from({ length: n }, (_, i) => i + 1);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = random(1)[0]! % (i + 1);
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx.slice(0, t);
}

// Partials as a node holds them: parsed from the wire by the backend in use (bytes + point).
function partialsFor(bls: Bls, message: Uint8Array): PartialSignature[] {
  return split.shares.map((s) => ({
    shareIndex: s.shareIndex,
    signature: bls.signatureFromBytes(native.sign(s.secretKey, message).bytes),
  }));
}

// 1,000 partials of many validators (distinct keys) over one root.
const manyKeys = Array.from({ length: 1000 }, () => SecretKey.random(random));
const manyPublic = manyKeys.map((k) => k.toPublicKey());
const manySigBytes = manyKeys.map((k) => native.sign(k, root).bytes);

const iterations = quick
  ? { fast: 5, slow: 3, native: 50, batch1000: 1 }
  : { fast: 30, slow: 15, native: 500, batch1000: 5 };

for (const [name, bls] of [
  ['noble', noble],
  ['blst', native],
] as const) {
  process.stderr.write(`${name}\n`);
  const iters = name === 'blst' ? iterations.native : iterations.fast;
  const slowIters = name === 'blst' ? Math.max(20, iterations.slow) : iterations.slow;
  const partials = partialsFor(bls, root);
  const badPartials = partials.map((p, i) =>
    i === 3 || i === 12
      ? {
          shareIndex: p.shareIndex,
          signature: bls.signatureFromBytes(native.sign(split.shares[i]!.secretKey, otherRoot).bytes),
        }
      : p,
  );
  const key = split.shares[0]!.secretKey;
  const sig: Signature = bls.signatureFromBytes(native.sign(key, root).bytes);
  const pk = bls.publicKeyFromBytes(publicShares[0]!.bytes);
  const committeePks = publicShares.map((p) => bls.publicKeyFromBytes(p.bytes));
  const aggregate16 = bls.aggregateSignatures(partials.map((p) => p.signature));
  const groupKey = bls.publicKeyFromBytes(split.groupPublicKey.bytes);

  measure(
    `${name}.sign`,
    iters,
    () => bls.sign(key, root),
    () => undefined,
  );
  measure(
    `${name}.verify`,
    iters,
    () => bls.verify(pk, root, sig),
    () => undefined,
  );
  measure(
    `${name}.parseSignature`,
    iters,
    (b: Uint8Array) => bls.signatureFromBytes(b),
    () => Uint8Array.from(sig.bytes),
  );
  measure(
    `${name}.fastAggregateVerify16`,
    iters,
    () => bls.fastAggregateVerify(root, committeePks, aggregate16),
    () => undefined,
  );
  measure(
    `${name}.batchVerify16`,
    iters,
    () =>
      bls.verifySameMessage(
        root,
        partials.map((p) => ({ publicKey: committeePks[p.shareIndex - 1]!, signature: p.signature })),
      ),
    () => undefined,
  );
  measure(
    `${name}.combine11of16`,
    iters,
    (subset: number[]) =>
      combinePartialSignatures(
        subset.map((i) => partials[i - 1]!),
        { threshold: t, shareCount: n },
      ),
    () => randomSubset(),
  );
  const robust = (ps: PartialSignature[]) =>
    bls.robustCombine({
      groupPublicKey: groupKey,
      publicShares: committeePks,
      threshold: t,
      message: root,
      partials: ps,
    });
  measure(`${name}.robustCombine16`, slowIters, robust, () => partials);
  measure(`${name}.robustCombine16_2invalid`, slowIters, robust, () => badPartials);
  const many = manyPublic.map((p, i) => ({
    publicKey: bls.publicKeyFromBytes(p.bytes),
    signature: bls.signatureFromBytes(manySigBytes[i]!),
  }));
  measure(
    `${name}.batchVerify1000`,
    name === 'blst' ? 20 : iterations.batch1000,
    () => bls.verifySameMessage(root, many),
    () => undefined,
  );
}

const ratio = (a: string, b: string) => round(median(a) / median(b));
const ratios = {
  batchVerify16_over_verify: ratio('noble.batchVerify16', 'noble.verify'),
  combine11_over_sign: ratio('noble.combine11of16', 'noble.sign'),
  robustCombine16_over_verify: ratio('noble.robustCombine16', 'noble.verify'),
  robustCombine16_2invalid_over_verify: ratio('noble.robustCombine16_2invalid', 'noble.verify'),
  batchVerify1000_over_verify: ratio('noble.batchVerify1000', 'noble.verify'),
  noble_over_blst_verify: ratio('noble.verify', 'blst.verify'),
  noble_over_blst_sign: ratio('noble.sign', 'blst.sign'),
  blst_batchVerify1000_over_verify: ratio('blst.batchVerify1000', 'blst.verify'),
};
const targets = { batchVerify16_over_verify: 1.8, combine11_over_sign: 1.2, batchVerify1000_over_verify: 40 };
const figures = {
  targets,
  targetsMet: Object.fromEntries(
    Object.entries(targets).map(([k, v]) => [k, ratios[k as keyof typeof ratios] <= v]),
  ),
  committee: { n, t },
  quick,
  nobleVerificationsPerSecond: round(1000 / median('noble.verify')),
  noblePartialsVerifiedPerSecondInBatchOf1000: round(1_000_000 / median('noble.batchVerify1000')),
  blstPartialsVerifiedPerSecondInBatchOf1000: round(1_000_000 / median('blst.batchVerify1000')),
};

process.stdout.write(
  `${JSON.stringify(
    {
      package: '@diva-dvt/bls-threshold',
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      results,
      ratios,
      figures,
    },
    null,
    2,
  )}\n`,
);
