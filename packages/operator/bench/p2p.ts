// Benchmark of the operator p2p network (src/p2p) over loopback, all nodes in this one process
// (so one core carries every sender and the receiver: the figures are lower bounds):
//  1. the time for 16 nodes to connect to each other fully, from the moment they learn the peer set;
//  2. the messages per second one node receives (200-byte messages, all distinct, no rate limit),
//     from 1 and from 15 senders, sending 1,000 messages per tick (batched into frames), against
//     the baseline of one sender flushing every macrotask (`tickMs: 0`) and sending one message
//     per macrotask: one frame per message.
// One JSON document on stdout; progress on stderr.
//   node --conditions=diva:source bench/p2p.ts [--quick]
import { cpus } from 'node:os';
import { sha256 } from '@noble/hashes/sha2.js';
import { createP2pNetwork, type Libp2pNetwork, type P2pNetworkInit, publicKeyOf } from '../src/index.ts';

const quick = process.argv.includes('--quick');
const log = (message: string) => process.stderr.write(`${message}\n`);

interface Result {
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  readonly p99: number;
  readonly n: number;
}

const key = (label: string) => sha256(new TextEncoder().encode(`diva p2p bench ${label}`));
const options: Omit<P2pNetworkInit, 'privateKey'> = {
  listen: ['/ip4/127.0.0.1/tcp/0'],
  rateLimit: { messagesPerSecond: 1e9, burst: 1e9 },
  maxQueuedMessages: 1e6,
  replayCacheSize: 4096,
};

async function mesh(
  count: number,
  tag: string,
  extra: Partial<P2pNetworkInit> = {},
): Promise<{ nodes: Libp2pNetwork[]; connectMs: number }> {
  const keys = Array.from({ length: count }, (_, i) => key(`${tag} ${i}`));
  const nodes = keys.map((privateKey) => createP2pNetwork({ ...options, ...extra, privateKey }));
  await Promise.all(nodes.map((n) => n.start()));
  const infos = nodes.map((n, i) => ({
    address: n.address,
    publicKey: publicKeyOf(keys[i] as Uint8Array),
    multiaddrs: n.listenAddresses(),
  }));
  const start = performance.now();
  for (const n of nodes) n.setPeers(infos);
  await until(() => nodes.every((n) => n.connectedPeers().length === count - 1));
  return { nodes, connectMs: performance.now() - start };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

const nextMacrotask = () => new Promise((resolve) => setImmediate(resolve));

/** Messages per second `receiver` takes in when `senders` each send `perSender` messages. */
async function receiveRate(
  senders: readonly Libp2pNetwork[],
  receiver: Libp2pNetwork,
  perSender: number,
  perTick: number,
): Promise<number> {
  let received = 0;
  const target = senders.length * perSender;
  const counting = { on: true };
  receiver.onMessage(() => {
    if (counting.on) received++;
  });
  const message = new Uint8Array(200);
  const view = new DataView(message.buffer);
  const start = performance.now();
  for (let sent = 0; sent < perSender; ) {
    for (let i = 0; i < perTick && sent < perSender; i++, sent++) {
      for (const [s, sender] of senders.entries()) {
        view.setUint32(0, s);
        view.setUint32(4, sent);
        view.setFloat64(8, start);
        sender.send(receiver.address, message.slice());
      }
    }
    await nextMacrotask();
  }
  await until(() => received >= target);
  counting.on = false;
  return target / ((performance.now() - start) / 1000);
}

function summarise(name: string, unit: string, values: number[]): Result {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { name, unit, median: round(at(0.5)), p99: round(at(0.99)), n: values.length };
}

const round = (x: number) => Math.round(x * 10) / 10;

const results: Result[] = [];
const connectRuns = quick ? 1 : 3;
const connectMs: number[] = [];
const connectCpuMs: number[] = [];
for (let run = 0; run < connectRuns; run++) {
  const cpu = process.cpuUsage();
  const { nodes, connectMs: ms } = await mesh(16, `mesh ${run}`);
  const used = process.cpuUsage(cpu);
  connectMs.push(ms);
  connectCpuMs.push((used.user + used.system) / 1000);
  log(`16 nodes connected in ${ms.toFixed(0)} ms`);
  await Promise.all(nodes.map((n) => n.stop()));
}
results.push(summarise('mesh of 16: time to connect fully', 'ms', connectMs));
results.push(summarise('mesh of 16: CPU to start and connect, all nodes', 'ms', connectCpuMs));

const { nodes } = await mesh(16, 'throughput');
const [receiver, ...senders] = nodes as [Libp2pNetwork, ...Libp2pNetwork[]];
const { nodes: unbatchedPair } = await mesh(2, 'baseline', { tickMs: 0 });
const [unbatchedReceiver, unbatchedSender] = unbatchedPair as [Libp2pNetwork, Libp2pNetwork];
const runs = quick ? 1 : 3;
const scenarios = [
  {
    name: '1 sender, 1,000 messages per tick',
    receiver,
    senders: senders.slice(0, 1),
    perSender: quick ? 20_000 : 100_000,
    perTick: 1000,
  },
  {
    name: '15 senders, 1,000 messages per tick',
    receiver,
    senders,
    perSender: quick ? 2_000 : 10_000,
    perTick: 1000,
  },
  {
    name: '1 sender, one frame per message (baseline)',
    receiver: unbatchedReceiver,
    senders: [unbatchedSender],
    perSender: quick ? 5_000 : 20_000,
    perTick: 1,
  },
];
const rates = new Map<string, number>();
for (const scenario of scenarios) {
  const values: number[] = [];
  for (let run = 0; run < runs; run++) {
    values.push(await receiveRate(scenario.senders, scenario.receiver, scenario.perSender, scenario.perTick));
    log(`${scenario.name}: ${values.at(-1)?.toFixed(0)} messages/s`);
  }
  const result = summarise(`one node receives 200-byte messages: ${scenario.name}`, 'messages/s', values);
  rates.set(scenario.name, result.median);
  results.push(result);
}
await Promise.all([...nodes, ...unbatchedPair].map((n) => n.stop()));

const batched = rates.get('1 sender, 1,000 messages per tick') ?? Number.NaN;
const unbatched = rates.get('1 sender, one frame per message (baseline)') ?? Number.NaN;
const figures = {
  mesh16ConnectMs: results[0]?.median,
  receiveMessagesPerSecond: Math.max(batched, rates.get('15 senders, 1,000 messages per tick') ?? 0),
};
const ratios = { batchedOverOneFramePerMessage: round(batched / unbatched) };
process.stdout.write(
  `${JSON.stringify({ package: '@diva-dvt/operator', bench: 'p2p', node: process.version, cpu: cpus()[0]?.model ?? 'unknown', results, ratios, figures }, null, 2)}\n`,
);
