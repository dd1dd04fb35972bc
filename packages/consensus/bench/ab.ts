// A/B comparison of two copies of this package in one process (alternating batches, so the
// machine's noise falls on both alike): node bench/ab.ts <other package dir> [count] [qbft]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const other = resolve(process.argv[2] ?? '.');
const count = Number(process.argv[3] ?? 4000);
const useQbft = process.argv[4] === 'qbft';
const load = async (dir: string) => {
  const lib = await import(pathToFileURL(`${dir}/src/index.ts`).href);
  const sim = await import(pathToFileURL(`${dir}/src/sim/index.ts`).href);
  const protocol = useQbft ? lib.qbftProtocol : lib.rotationalProtocol;
  const config = {
    protocol,
    n: 16,
    t: 11,
    seed: 7,
    network: { latencyMs: 50, jitterMs: 10 },
    horizonMs: 120_000,
    // One allocator for all simulations of a run (where the package has them).
    allocator: lib.createMessageAllocator?.(),
  };
  return (i: number) => sim.simulateInstance(config, i);
};
const a = await load(resolve(import.meta.dirname, '..'));
const b = await load(other);
for (let i = 0; i < 400; i++) {
  a(1_000_000 + i);
  b(1_000_000 + i);
}
const batch = 50;
let ta = 0;
let tb = 0;
const ra: number[] = [];
const rb: number[] = [];
for (let done = 0; done < count; done += batch) {
  for (const [run, record] of [
    [a, ra],
    [b, rb],
  ] as const) {
    const start = performance.now();
    for (let i = done; i < done + batch; i++) run(i);
    record.push(performance.now() - start);
  }
}
ta = ra.reduce((x, y) => x + y, 0);
tb = rb.reduce((x, y) => x + y, 0);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
process.stdout.write(
  `this: ${((count * 1000) / ta).toFixed(0)}/s (median batch ${((batch * 1000) / median(ra)).toFixed(0)}/s); other: ${((count * 1000) / tb).toFixed(0)}/s (median batch ${((batch * 1000) / median(rb)).toFixed(0)}/s); this/other ${(tb / ta).toFixed(3)}, medians ${(median(rb) / median(ra)).toFixed(3)}\n`,
);
