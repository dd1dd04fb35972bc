// The devnet's measured uptime beside the model the simulator checks (docs/img/validator-uptime.svg):
// reads devnet summaries (the JSON line `diva-node devnet --epochs N` prints; runs with
// `--fault chaos:PCT@E` spread the node uptime) and writes docs/img/devnet-uptime.svg with, for each
// committee shape measured, the binomial model P(>= t of n members up), a single node's line, and
// each run's measured point (node uptime: share of operators answering per slot; validator uptime:
// share of (validator, epoch) pairs with a balance increase).
//   node --conditions=diva:source scripts/uptime-chart.ts [summary.json ...]
// Without arguments it reads docs/data/devnet-uptime.json (a JSON array of summaries); with
// arguments it also adds them to that file, so the chart keeps every measured run.
import { readFileSync, writeFileSync } from 'node:fs';
import * as vega from 'vega';
import * as vl from 'vega-lite';

interface Summary {
  readonly operators: number;
  readonly committeeSize: number;
  readonly threshold: number;
  readonly epoch?: number | undefined;
  readonly chaos?: { readonly uptime: number; readonly seed: number } | undefined;
  readonly faults?: readonly { readonly action: string }[] | undefined;
  readonly uptime?:
    | {
        readonly nodeUptime?: number;
        readonly validatorUptime?: number;
        readonly validatorEpochs?: number;
      }
    | undefined;
}

const data = new URL('../../../docs/data/devnet-uptime.json', import.meta.url);
const image = new URL('../../../docs/img/devnet-uptime.svg', import.meta.url);

function readSummaries(): Summary[] {
  try {
    return JSON.parse(readFileSync(data, 'utf8')) as Summary[];
  } catch {
    return [];
  }
}

function lastJsonLine(file: string): Summary {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  for (const line of lines.reverse()) {
    if (!line.startsWith('{')) continue;
    return JSON.parse(line) as Summary;
  }
  throw new Error(`${file}: no JSON summary line`);
}

function labelOf(s: Summary): string {
  if (s.chaos !== undefined) return `chaos ${Math.round(s.chaos.uptime * 100)}%`;
  const actions = new Set((s.faults ?? []).map((f) => f.action));
  if (actions.has('equivocating')) return 'an equivocating operator';
  if (actions.has('killed')) return 'members killed';
  return 'no faults';
}

function binomialAtLeast(k: number, of: number, p: number): number {
  let total = 0;
  for (let i = k; i <= of; i++) {
    let c = 1;
    for (let j = 0; j < i; j++) c = (c * (of - j)) / (j + 1);
    total += c * p ** i * (1 - p) ** (of - i);
  }
  return total;
}

const summaries = readSummaries();
// what the chart and a reader need of a run (the summaries' duty outcomes stay in their files)
for (const file of process.argv.slice(2)) {
  const { operators, committeeSize, threshold, epoch, chaos, faults, uptime } = lastJsonLine(file);
  summaries.push({ operators, committeeSize, threshold, epoch, chaos, faults, uptime });
}
writeFileSync(data, `${JSON.stringify(summaries, null, 2)}\n`);

const rows: { nodeUptime: number; validatorUptime: number; series: string }[] = [];
const shapes = new Set(summaries.map((s) => `${s.threshold}/${s.committeeSize}`));
for (const shape of shapes) {
  const [t, n] = shape.split('/').map(Number) as [number, number];
  for (let p = 0.5; p <= 1.0001; p += 0.01)
    rows.push({
      nodeUptime: p,
      validatorUptime: binomialAtLeast(t, n, p),
      series: `model: P(>= ${t} of ${n} up)`,
    });
}
for (let p = 0.5; p <= 1.0001; p += 0.05)
  rows.push({ nodeUptime: p, validatorUptime: p, series: 'a single node' });
const points = summaries.flatMap((s) =>
  s.uptime?.nodeUptime === undefined || s.uptime.validatorUptime === undefined
    ? []
    : [
        {
          nodeUptime: s.uptime.nodeUptime,
          validatorUptime: s.uptime.validatorUptime,
          series: `devnet, committees ${s.threshold} of ${s.committeeSize}`,
          label: labelOf(s),
          pairs: s.uptime.validatorEpochs ?? 0,
        },
      ],
);
for (const p of points)
  process.stderr.write(
    `  ${p.label}: node uptime ${p.nodeUptime}, validator uptime ${p.validatorUptime} (${p.pairs} validator-epochs)\n`,
  );

const spec: vl.TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: 'Measured on the devnet: validator uptime against node uptime',
  width: 420,
  height: 300,
  layer: [
    {
      data: { values: rows },
      mark: { type: 'line' },
      encoding: {
        x: {
          field: 'nodeUptime',
          type: 'quantitative',
          title: 'uptime of each operator (measured per slot)',
          scale: { domain: [0.5, 1] },
        },
        y: {
          field: 'validatorUptime',
          type: 'quantitative',
          title: 'validator uptime (epochs rewarded)',
          scale: { domain: [0, 1] },
        },
        color: { field: 'series', type: 'nominal', title: null },
        strokeDash: { field: 'series', type: 'nominal', legend: null },
      },
    },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, size: 80 },
      encoding: {
        x: { field: 'nodeUptime', type: 'quantitative' },
        y: { field: 'validatorUptime', type: 'quantitative' },
        color: { field: 'series', type: 'nominal', title: null },
        tooltip: [{ field: 'label' }, { field: 'pairs' }],
      },
    },
    {
      data: { values: points },
      mark: { type: 'text', dx: 8, align: 'left', fontSize: 10 },
      encoding: {
        x: { field: 'nodeUptime', type: 'quantitative' },
        y: { field: 'validatorUptime', type: 'quantitative' },
        text: { field: 'label' },
      },
    },
  ],
};
const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
writeFileSync(image, await view.toSVG());
process.stderr.write('  wrote docs/img/devnet-uptime.svg\n');
