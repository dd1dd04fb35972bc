// The dashboard's model and renderer: the recorder counts the outcomes it is given by epoch and
// reason, the model sums several nodes, the JSON and the SVG charts carry those numbers, bad or
// missing data is dropped (and named) without breaking the page, and what comes from peers or the
// configuration is escaped. The HTTP side runs on a real loopback server.
import { type DutyOutcome, OperatorError, type ValidatorCommittee } from '@diva-dvt/operator';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../src/config.ts';
import { renderChartSvg } from '../src/dashboard/charts.ts';
import { createDashboardHandler } from '../src/dashboard/handler.ts';
import {
  buildDashboardModel,
  type DashboardModel,
  type DashboardSource,
  LATENCY_BOUNDS_MS,
} from '../src/dashboard/model.ts';
import { escapeHtml, renderDashboardPage } from '../src/dashboard/page.ts';
import { createDashboardRecorder, hostOf, type NodeSnapshot } from '../src/dashboard/recorder.ts';
import { startHttpEndpoints } from '../src/http.ts';

const A: `0x${string}` = '0x1111111111111111111111111111111111111111';
const B: `0x${string}` = '0x2222222222222222222222222222222222222222';
const C: `0x${string}` = '0x3333333333333333333333333333333333333333';
const D: `0x${string}` = '0x4444444444444444444444444444444444444444';

const base = { validatorIndex: 7, dueMs: 0, deadlineMs: 1 } as const;
const late = (slot: number): DutyOutcome => ({
  ...base,
  duty: 'attestation',
  slot,
  status: 'late',
  stage: 'before-signing',
  atMs: 1,
});
const timedOut = (slot: number): DutyOutcome => ({
  ...base,
  duty: 'sync-committee-message',
  slot,
  status: 'failed',
  error: new OperatorError({
    code: 'CONSENSUS_TIMEOUT',
    duty: 'sync-committee-message',
    validatorIndex: 7,
    slot,
    round: 2,
  }),
});
const notSelected = (slot: number): DutyOutcome => ({
  ...base,
  duty: 'aggregate',
  slot,
  status: 'not-selected',
});

const committee: ValidatorCommittee = {
  groupPublicKey: new Uint8Array(48).fill(0xab),
  threshold: 3,
  validatorIndex: 7,
  members: [A, B, C, D].map((operator, i) => ({
    operator,
    shareIndex: i + 1,
    publicShare: new Uint8Array(48),
  })),
};

function snapshot(over: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    operator: B,
    atMs: 1_000,
    chain: { slot: 20, epoch: 2, slotsPerEpoch: 8, slotDurationMs: 6_000 },
    validators: [committee],
    peers: [A, C, D],
    connectedPeers: [A, C],
    clockOffsets: new Map([[A, { offsetMs: 12, rttMs: 4, atMs: 900 }]]),
    checks: [{ name: 'beacon-node', ok: true }],
    ...over,
  };
}

describe('dashboard recorder and model', () => {
  it('counts outcomes by epoch and reason code, latency by bucket, inclusion by result and delay', () => {
    const r = createDashboardRecorder({ beaconNodeUrls: ['http://user:secret@bn.example:5052/path?key=k'] });
    for (const slot of [3, 5, 9]) r.outcome(late(slot));
    r.outcome(timedOut(10));
    r.outcome(notSelected(17));
    r.signing({ type: 'combined', duty: {} as never, latencyMs: 40 });
    r.signing({ type: 'decided', duty: {} as never, latencyMs: 9_000, round: 1, own: true });
    r.signing({ type: 'timeout', duty: {} as never, stage: 'consensus' });
    r.inclusion({ validatorIndex: 7, slot: 3, status: 'included', inclusionSlot: 4, delaySlots: 1 });
    r.inclusion({ validatorIndex: 7, slot: 5, status: 'not-included' });
    r.beaconRequest({
      type: 'request',
      node: 'bn0',
      endpoint: 'getSpec',
      route: '',
      ok: false,
      durationMs: 30,
    });
    const report = r.report(snapshot());
    const model = buildDashboardModel([report], 5);
    expect(model.problems).toEqual([]);
    expect(model.outcomes).toEqual([
      { epoch: 0, duty: 'attestation', reason: 'late', count: 2 },
      { epoch: 1, duty: 'attestation', reason: 'late', count: 1 },
      { epoch: 1, duty: 'sync-committee-message', reason: 'consensus-timeout', count: 1 },
      { epoch: 2, duty: 'aggregate', reason: 'not-selected', count: 1 },
    ]);
    const latency = LATENCY_BOUNDS_MS.map(() => 0).concat(0);
    latency[2] = 1; // 40 ms: the 50 ms bucket
    latency[LATENCY_BOUNDS_MS.length] = 1; // over 8 s
    expect(model.latencyCounts).toEqual(latency);
    expect(model.inclusion).toEqual({ included: 1, notIncluded: 1, delays: [{ delaySlots: 1, count: 1 }] });
    expect(model.validators).toEqual([
      {
        groupPublicKey: `0x${'ab'.repeat(48)}`,
        validatorIndex: 7,
        threshold: 3,
        members: [A, B, C, D].map((operator, i) => ({ operator, shareIndex: i + 1 })),
        reportedBy: [B],
      },
    ]);
    const health = model.nodes[0]!.health;
    expect(health.peersConnected).toBe(2);
    expect(health.peers).toEqual([
      { operator: A, connected: true, clockOffsetMs: 12, rttMs: 4 },
      { operator: C, connected: true },
      { operator: D, connected: false },
    ]);
    // no credentials, path or query of the beacon node URL
    expect(health.beaconNodes).toEqual([
      { label: 'bn0', host: 'bn.example:5052', requests: 1, failures: 1, lastOk: false, lastDurationMs: 30 },
    ]);
    expect(JSON.stringify(model)).not.toContain('secret');
    expect(hostOf('not a url')).toBe('');
  });

  it('forgets outcomes of epochs older than epochsKept', () => {
    const r = createDashboardRecorder({ epochsKept: 2 });
    r.outcome(late(1));
    r.outcome(late(17));
    const report = r.report(
      snapshot({ chain: { slot: 20, epoch: 2, slotsPerEpoch: 8, slotDurationMs: 6_000 } }),
    );
    expect(report.outcomes.map((o) => o.epoch)).toEqual([2]);
  });

  it('sums the reports of several nodes and records which operators reported each validator', () => {
    const r1 = createDashboardRecorder({});
    const r2 = createDashboardRecorder({});
    r1.outcome(late(9));
    r2.outcome(late(9));
    r2.outcome(late(10));
    const model = buildDashboardModel([r1.report(snapshot()), r2.report(snapshot({ operator: C }))], 5);
    expect(model.outcomes).toEqual([{ epoch: 1, duty: 'attestation', reason: 'late', count: 3 }]);
    expect(model.validators[0]!.reportedBy).toEqual([B, C]);
    expect(model.nodes.map((n) => n.operator)).toEqual([B, C]);
  });

  it('drops malformed reports and fields, naming them, and still renders page and charts', async () => {
    const model = buildDashboardModel(
      [
        null,
        42,
        { operator: 5 },
        {
          operator: A,
          chain: { slot: -1 },
          validators: [{ groupPublicKey: '0xaa', threshold: 'three' }],
          outcomes: [{ epoch: 1, duty: 'attestation', reason: '<b>x</b>', count: 1 }, 'nope'],
          latencyCounts: [1, 2],
          inclusion: 'none',
          health: { peers: [{ operator: B, connected: 'yes', clockOffsetMs: Number.NaN }], checks: {} },
        },
      ],
      5,
    );
    expect(model.nodes).toHaveLength(1);
    expect(model.outcomes).toEqual([]);
    expect(model.validators).toEqual([]);
    expect(model.nodes[0]!.health.peers).toEqual([{ operator: B, connected: false }]);
    expect(model.problems).toEqual(
      expect.arrayContaining([
        'node 0: operator: not a node report',
        'node 3: chain: expected slot, epoch, slotsPerEpoch, slotDurationMs',
        'node 3: outcomes[0]: expected epoch, duty, reason (codes) and count',
        'node 3: latencyCounts: expected 11 counts',
        'node 3: health.checks: expected an array',
      ]),
    );
    const page = renderDashboardPage(model, { basePath: '/dashboard' });
    expect(page).toContain('Data dropped');
    expect(page).not.toContain('<b>x</b>');
    for (const chart of ['outcomes', 'latency'] as const) {
      expect(await renderChartSvg(chart, model)).toMatch(/^<svg/);
    }
    expect(() => buildDashboardModel([], 5)).not.toThrow();
  });
});

describe('dashboard renderer', () => {
  it('draws one stacked bar segment per epoch and reason, and one latency bar per bucket', async () => {
    const r = createDashboardRecorder({});
    for (const slot of [3, 5, 9]) r.outcome(late(slot));
    r.outcome(timedOut(10));
    r.signing({ type: 'combined', duty: {} as never, latencyMs: 80 });
    r.signing({ type: 'combined', duty: {} as never, latencyMs: 90 });
    const model = buildDashboardModel([r.report(snapshot())], 5);
    const labels = (svg: string) =>
      [...svg.matchAll(/aria-label="([^"]*; [^"]*)"/g)].map((m) => m[1]?.replace(/&gt;/g, '>'));
    expect(labels(await renderChartSvg('outcomes', model)).sort()).toEqual([
      'epoch: 0; duties: 2; reason: late',
      'epoch: 1; duties: 1; reason: consensus-timeout',
      'epoch: 1; duties: 1; reason: late',
    ]);
    const bars = labels(await renderChartSvg('latency', model)).filter((l) => l?.startsWith('latency: '));
    expect(bars).toHaveLength(LATENCY_BOUNDS_MS.length + 1);
    expect(bars).toContain('latency: ≤ 100 ms; signatures: 2');
    expect(bars).toContain('latency: > 8 s; signatures: 0');
  });

  it('escapes what peers and the configuration give', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const r = createDashboardRecorder({});
    const model = buildDashboardModel(
      [
        r.report(
          snapshot({
            peers: [evil],
            checks: [{ name: 'beacon-node', ok: false, detail: `<script>alert("x")</script>` }],
          }),
        ),
      ],
      5,
    );
    const page = renderDashboardPage(model, { basePath: '/dash"><script>' });
    expect(page).not.toContain(evil);
    expect(page).not.toContain('<script>alert');
    expect(page).toContain(escapeHtml(evil));
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)');
    expect(page.match(/<script>/g)).toHaveLength(1); // the page's own
  });
});

describe('dashboard over HTTP', () => {
  const closes: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closes.splice(0)) await c();
  });

  async function serve(source: DashboardSource) {
    const http = await startHttpEndpoints({
      host: '127.0.0.1',
      port: 0,
      registry: new Registry(),
      readiness: async () => [],
      status: () => ({}),
      dashboard: createDashboardHandler({ source, cacheMs: 0 }),
    });
    closes.push(() => http.close());
    return http.url;
  }

  it('serves the page, its sections, the JSON model and the charts; other paths as before', async () => {
    const r = createDashboardRecorder({});
    r.outcome(late(9));
    const url = await serve({ reports: async () => [r.report(snapshot())] });
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
    const html = await page.text();
    expect(html).toContain('<base href="/dashboard/">');
    expect(html).toContain('data.json');
    expect(await (await fetch(`${url}/dashboard/sections`)).text()).toContain('Duty outcomes per epoch');
    const model = (await (await fetch(`${url}/dashboard/data.json`)).json()) as DashboardModel;
    expect(model.outcomes).toEqual([{ epoch: 1, duty: 'attestation', reason: 'late', count: 1 }]);
    const svg = await fetch(`${url}/dashboard/charts/outcomes.svg`);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('epoch: 1; duties: 1; reason: late');
    expect((await fetch(`${url}/dashboard/charts/other.svg`)).status).toBe(404);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('answers 503 naming the failure when the source fails, and recovers at the next request', async () => {
    let fail = true;
    const url = await serve({
      reports: async () => {
        if (fail) throw new Error('node 3 unreachable');
        return [];
      },
    });
    const res = await fetch(`${url}/dashboard/data.json`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe(
      "the dashboard's data is unavailable: node 3 unreachable",
    );
    fail = false;
    expect((await fetch(`${url}/dashboard/data.json`)).status).toBe(200);
  });

  it('is off unless http.dashboard is true', () => {
    const config = (http: unknown) =>
      parseNodeConfig(
        {
          dataDir: '/d',
          beaconNodes: ['http://127.0.0.1:5052'],
          cluster: '/c.json',
          keys: { dir: '/k', passwordFile: '/p' },
          p2p: { listen: ['/ip4/127.0.0.1/tcp/9000'] },
          http,
        },
        '/etc/node.json',
      );
    expect(config({ port: 0 }).http?.dashboard).toBe(false);
    expect(config({ port: 0, dashboard: true }).http?.dashboard).toBe(true);
    expect(() => config({ port: 0, dashboard: 'yes' })).toThrow(
      '/etc/node.json: http.dashboard: expected true or false',
    );
  });
});
