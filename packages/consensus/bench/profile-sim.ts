// Runs honest rotational instances in the simulator (for --cpu-prof). Not part of the benchmark output.
//   node --cpu-prof bench/profile-sim.ts [count]
import { rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';

const count = Number(process.argv[2] ?? 500);
const network = { latencyMs: 50, jitterMs: 10, loss: 0 };
const config = { protocol: rotationalProtocol, n: 16, t: 11, seed: 7, network, horizonMs: 120_000 };
for (let i = 0; i < 300; i++) simulateInstance(config, 1_000_000 + i); // warm-up
const start = performance.now();
const cpu0 = process.cpuUsage();
let messages = 0;
for (let i = 0; i < count; i++) {
  const r = simulateInstance(config, i);
  messages += r.messages;
}
const seconds = (performance.now() - start) / 1000;
const c = process.cpuUsage(cpu0);
const cpuSeconds = (c.user + c.system) / 1e6;
process.stderr.write(
  `${count} instances in ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU): ${(count / seconds).toFixed(0)}/s wall, ${(count / cpuSeconds).toFixed(0)}/s CPU, ${(messages / count).toFixed(0)} messages each\n`,
);
