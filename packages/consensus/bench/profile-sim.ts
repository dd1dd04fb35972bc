// Runs honest rotational instances in the simulator, for profiling (--cpu-prof) and for quick
// before/after comparisons: prints the rate of the fastest of several batches (the machine's noise
// only ever slows a batch down). Not part of the benchmark output.
//   node [--cpu-prof] bench/profile-sim.ts [count] [qbft]
import { createMessageAllocator, qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';

const count = Number(process.argv[2] ?? 500);
const protocol = process.argv[3] === 'qbft' ? qbftProtocol : rotationalProtocol;
const network = { latencyMs: 50, jitterMs: 10, loss: 0 };
const allocator = createMessageAllocator();
const config = { protocol, n: 16, t: 11, seed: 7, network, horizonMs: 120_000, allocator };
for (let i = 0; i < 300; i++) simulateInstance(config, 1_000_000 + i); // warm-up
const batch = 100;
let best = Number.POSITIVE_INFINITY;
let total = 0;
let messages = 0;
for (let done = 0; done < count; done += batch) {
  const start = performance.now();
  for (let i = done; i < done + batch; i++) messages += simulateInstance(config, i).messages;
  const ms = performance.now() - start;
  total += ms;
  best = Math.min(best, ms);
}
process.stderr.write(
  `${protocol.name}: ${count} instances in ${(total / 1000).toFixed(2)} s; fastest batch ${((batch * 1000) / best).toFixed(0)}/s, mean ${((count * 1000) / total).toFixed(0)}/s, ${(messages / count).toFixed(0)} messages each\n`,
);
