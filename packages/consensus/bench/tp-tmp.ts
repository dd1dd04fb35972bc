import { qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { simulateInstance } from '../src/sim/index.ts';
const protocol = process.argv[2] === 'qbft' ? qbftProtocol : rotationalProtocol;
const config = { protocol, n: 16, t: 11, seed: 11, network: { latencyMs: 50, jitterMs: 10 }, timeouts: { baseMs: 1000, growth: 1.5, maxMs: 8000 }, horizonMs: 120_000, checkSignatures: true };
for (let i = 0; i < 200; i++) simulateInstance(config, 1_000_000 + i);
for (let rep = 0; rep < 3; rep++) {
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < 3000; i++) simulateInstance(config, i);
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - w0) / 1000;
  const cpu = (c.user + c.system) / 1e6;
  console.log(`${protocol.name}: wall ${(3000 / wall).toFixed(0)}/s, cpu ${(3000 / cpu).toFixed(0)}/s`);
}
