// The dashboard's charts: vega-lite specs compiled and rendered to SVG on the server with vega's
// headless renderer (as the consensus docs do), so the page needs no charting library and no CDN.
// Duty outcomes per epoch as bars stacked by reason, and the consensus latency histogram.
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import { type DashboardModel, LATENCY_BOUNDS_MS } from './model.ts';

export type DashboardChart = 'outcomes' | 'latency';
export const DASHBOARD_CHARTS: readonly DashboardChart[] = ['outcomes', 'latency'];

/** Fixed colours per reason code, so a colour means the same thing on every refresh. */
const REASON_COLOURS: Readonly<Record<string, string>> = {
  submitted: '#2e7d32',
  signed: '#66bb6a',
  'not-selected': '#9e9e9e',
  'other-member-publishes': '#81c784',
  late: '#f9a825',
  'consensus-timeout': '#e65100',
  'too-few-partials': '#ef6c00',
  'slashing-protection-refused': '#6a1b9a',
  'beacon-node-unavailable': '#c62828',
  'invalid-beacon-response': '#ad1457',
  'unsupported-fork': '#4e342e',
  'signer-stopped': '#546e7a',
  failed: '#b71c1c',
};

export function latencyBucketLabel(i: number): string {
  const bound = LATENCY_BOUNDS_MS[i];
  const fmt = (ms: number) => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);
  if (bound === undefined) return `> ${fmt(LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1] ?? 0)}`;
  return `≤ ${fmt(bound)}`;
}

export function outcomesSpec(model: DashboardModel): TopLevelSpec {
  const byEpochReason = new Map<string, { epoch: number; reason: string; count: number }>();
  for (const o of model.outcomes) {
    const key = `${o.epoch}/${o.reason}`;
    const prev = byEpochReason.get(key);
    byEpochReason.set(key, { epoch: o.epoch, reason: o.reason, count: (prev?.count ?? 0) + o.count });
  }
  const reasons = [...new Set(model.outcomes.map((o) => o.reason))].sort();
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Duty outcomes per epoch',
    width: 420,
    height: 200,
    data: { values: [...byEpochReason.values()] },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'epoch', type: 'ordinal', title: 'epoch', axis: { labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', aggregate: 'sum', stack: 'zero', title: 'duties' },
      color: {
        field: 'reason',
        type: 'nominal',
        title: 'reason',
        scale: { domain: reasons, range: reasons.map((r) => REASON_COLOURS[r] ?? '#455a64') },
      },
    },
  };
}

export function latencySpec(model: DashboardModel): TopLevelSpec {
  const values = model.latencyCounts.map((count, i) => ({ bucket: latencyBucketLabel(i), order: i, count }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Consensus latency (duty start to group signature)',
    width: 420,
    height: 200,
    data: { values },
    mark: { type: 'bar', color: '#1565c0' },
    encoding: {
      x: {
        field: 'bucket',
        type: 'ordinal',
        sort: values.map((v) => v.bucket),
        title: 'latency',
        axis: { labelAngle: -40 },
      },
      y: { field: 'count', type: 'quantitative', title: 'signatures' },
    },
  };
}

/** Renders one chart of the model to an SVG document. */
export async function renderChartSvg(chart: DashboardChart, model: DashboardModel): Promise<string> {
  const spec = chart === 'outcomes' ? outcomesSpec(model) : latencySpec(model);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
