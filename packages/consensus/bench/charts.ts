// Charts for docs/consensus.md, rendered to SVG with vega-lite + vega's headless renderer:
//   docs/img/consensus-latency-cdf.svg   latency CDF of both protocols (honest, 5 crashed)
//   docs/img/validator-uptime.svg        validator uptime against node uptime: the binomial model
//                                        P(>= 11 of 16 up) next to simulated points
// node bench/charts.ts [--quick]
import { writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { type ProtocolDescriptor, qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { createRng, simulateInstance } from '../src/sim/index.ts';

const quick = process.argv.includes('--quick');
const count = quick ? 40 : 400;
const n = 16;
const t = 11;
const network = { latencyMs: 50, jitterMs: 10 };
const timeouts = { baseMs: 1000, growth: 1.5, maxMs: 8000 };
const out = new URL('../../../docs/img/', import.meta.url);

async function render(spec: vl.TopLevelSpec, file: string): Promise<void> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  writeFileSync(new URL(file, out), await view.toSVG());
  process.stderr.write(`  wrote docs/img/${file}\n`);
}

// 1. Latency CDF.
const cdf: { protocol: string; scenario: string; latencyMs: number; fraction: number }[] = [];
for (const protocol of [rotationalProtocol, qbftProtocol] as ProtocolDescriptor[]) {
  for (const scenario of ['all honest', '5 crashed'] as const) {
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const rng = createRng(5000 + i);
      const crashed = new Set<number>();
      while (scenario === '5 crashed' && crashed.size < 5) crashed.add(1 + rng.int(n));
      const r = simulateInstance(
        {
          protocol,
          n,
          t,
          seed: 11,
          network,
          timeouts,
          faults: { crashes: new Map([...crashed].map((m) => [m, { atMs: 0 }])) },
        },
        i,
      );
      if (r.firstDecisionMs !== undefined) latencies.push(r.firstDecisionMs);
    }
    latencies.sort((a, b) => a - b);
    for (const [k, latencyMs] of latencies.entries()) {
      cdf.push({ protocol: protocol.name, scenario, latencyMs, fraction: (k + 1) / count });
    }
    process.stderr.write(`  ${protocol.name}, ${scenario}: ${latencies.length}/${count} decided\n`);
  }
}
await render(
  {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `Duty start to combined signature (16 members, t = 11, 50 ms one-way, ${count} instances)`,
    data: { values: cdf },
    facet: { column: { field: 'scenario', type: 'nominal', title: null, sort: ['all honest', '5 crashed'] } },
    spec: {
      width: 320,
      height: 220,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: {
          field: 'latencyMs',
          type: 'quantitative',
          scale: { type: 'log' },
          title: 'latency (ms, log scale)',
        },
        y: {
          field: 'fraction',
          type: 'quantitative',
          title: 'fraction of duties signed',
          scale: { domain: [0, 1] },
        },
        color: { field: 'protocol', type: 'nominal', title: 'protocol', legend: { labelLimit: 300 } },
      },
    },
  },
  'consensus-latency-cdf.svg',
);

// 2. Validator uptime against node uptime.
function binomialAtLeast(k: number, of: number, p: number): number {
  let total = 0;
  for (let i = k; i <= of; i++) {
    let c = 1;
    for (let j = 0; j < i; j++) c = (c * (of - j)) / (j + 1);
    total += c * p ** i * (1 - p) ** (of - i);
  }
  return total;
}
const model: { nodeUptime: number; validatorUptime: number; series: string }[] = [];
for (let p = 0.7; p <= 1.0001; p += 0.005) {
  model.push({
    nodeUptime: p,
    validatorUptime: binomialAtLeast(t, n, p),
    series: 'model: P(>= 11 of 16 up)',
  });
  model.push({ nodeUptime: p, validatorUptime: p, series: 'a single node' });
}
const points: { nodeUptime: number; validatorUptime: number; series: string }[] = [];
for (const p of [0.75, 0.8, 0.85, 0.9, 0.95]) {
  let signed = 0;
  const instances = quick ? 60 : 600;
  for (let i = 0; i < instances; i++) {
    const rng = createRng(9000 + i + Math.round(p * 1000) * 10_000);
    const down = new Map<number, { atMs: number }>();
    for (let m = 1; m <= n; m++) if (rng.next() > p) down.set(m, { atMs: 0 });
    const r = simulateInstance(
      {
        protocol: rotationalProtocol,
        n,
        t,
        seed: 13,
        network,
        timeouts,
        faults: { crashes: down },
        horizonMs: 12_000,
      },
      i,
    );
    if (r.firstDecisionMs !== undefined && r.firstDecisionMs <= 12_000) signed++;
  }
  points.push({ nodeUptime: p, validatorUptime: signed / instances, series: 'simulated (rotational)' });
  process.stderr.write(`  node uptime ${p}: validator signed ${signed}/${instances}\n`);
}
await render(
  {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Validator uptime against node uptime (16 nodes, 11 must sign)',
    width: 420,
    height: 280,
    layer: [
      {
        data: { values: model },
        mark: 'line',
        encoding: {
          x: {
            field: 'nodeUptime',
            type: 'quantitative',
            scale: { domain: [0.7, 1] },
            title: 'uptime of each node',
          },
          y: {
            field: 'validatorUptime',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'validator uptime',
          },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            legend: { labelLimit: 300, orient: 'bottom-right' },
          },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          x: { field: 'nodeUptime', type: 'quantitative' },
          y: { field: 'validatorUptime', type: 'quantitative' },
          color: { field: 'series', type: 'nominal', title: null },
        },
      },
    ],
  },
  'validator-uptime.svg',
);
process.stdout.write(
  `${JSON.stringify({ model95: binomialAtLeast(t, n, 0.95), simulated: points }, null, 2)}\n`,
);
