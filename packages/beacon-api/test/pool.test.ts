// Several beacon nodes (real loopback servers): failover on error and timeout, ranking by
// health and latency, publish to all, per-attempt timeouts from a deadline, health checks, and
// the events a runtime turns into metrics.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BeaconApiError,
  createBeaconNodeClient,
  createBeaconNodePool,
  type PoolEvent,
} from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import { ssz } from '../src/spec.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng, randomValue } from './helpers/random.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}
const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const rng = createRng(5);
const genesis = randomValue(ssz.phase0.Genesis, rng);
const good = () => createRouteHandler({ getGenesis: () => ({ data: genesis, meta: {} }) });

function pool(
  urls: { url: string; label: string }[],
  events: PoolEvent[],
  extra: { now?: () => number; minAttemptMs?: number } = {},
) {
  return createBeaconNodePool({
    nodes: urls.map((u) => createBeaconNodeClient({ ...u, timeoutMs: 5_000 })),
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

describe('beacon node pool', () => {
  it('fails over from a node answering 500 and ranks it last afterwards', async () => {
    const bad = await serve((_q, res) => json(res, 500, { code: 500, message: 'boom' }));
    const ok = await serve(good());
    const events: PoolEvent[] = [];
    const p = pool(
      [
        { url: bad.url, label: 'a' },
        { url: ok.url, label: 'b' },
      ],
      events,
    );
    const r = await p.api.getGenesis();
    expect(ssz.phase0.Genesis.equals(r.data, genesis)).toBe(true);
    expect(events).toContainEqual({
      type: 'failover',
      endpoint: 'getGenesis',
      from: 'a',
      to: 'b',
      errorCode: 'HTTP_ERROR',
    });
    expect(events).toContainEqual({ type: 'health', node: 'a', healthy: false, reason: 'HTTP_ERROR' });
    expect(p.ranked().map((n) => n.label)).toEqual(['b', 'a']);
    await p.api.getGenesis();
    expect(bad.requests.length).toBe(1);
    expect(ok.requests.length).toBe(2);
    const [first, second] = p.scores();
    expect(first).toMatchObject({ node: 'b', healthy: true, consecutiveFailures: 0 });
    expect(second).toMatchObject({ node: 'a', healthy: false, consecutiveFailures: 1 });
  });

  it('fails over from garbage and from a refused connection', async () => {
    const garbage = await serve((_q, res) => json(res, 200, { data: { genesis_time: 'soon' } }));
    const closed = await serve((_q, res) => res.end());
    const closedUrl = closed.url;
    await closed.close();
    servers.splice(servers.indexOf(closed), 1);
    const ok = await serve(good());
    const events: PoolEvent[] = [];
    const p = pool(
      [
        { url: garbage.url, label: 'g' },
        { url: closedUrl, label: 'c' },
        { url: ok.url, label: 'ok' },
      ],
      events,
    );
    const r = await p.api.getGenesis();
    expect(r.data.genesisTime).toBe(genesis.genesisTime);
    expect(
      events.filter((e) => e.type === 'failover').map((e) => (e as { errorCode: string }).errorCode),
    ).toEqual(['INVALID_RESPONSE', 'NETWORK_ERROR']);
  });

  it('gives a slow node only half of the time left before the deadline, then fails over', async () => {
    const slow = await serve((_q, res) => {
      setTimeout(() => json(res, 200, {}), 3_000).unref();
    });
    const ok = await serve(good());
    const events: PoolEvent[] = [];
    const p = pool(
      [
        { url: slow.url, label: 'slow' },
        { url: ok.url, label: 'fast' },
      ],
      events,
      { minAttemptMs: 50 },
    );
    const deadlineMs = performance.now() + 1_000;
    const r = await p.api.getGenesis(undefined, { deadlineMs });
    expect(r.data.genesisTime).toBe(genesis.genesisTime);
    const attempts = events.filter((e): e is Extract<PoolEvent, { type: 'attempt' }> => e.type === 'attempt');
    expect(attempts[0]).toMatchObject({ node: 'slow', ok: false, errorCode: 'TIMEOUT' });
    expect(attempts[0]?.timeoutMs).toBeGreaterThan(300);
    expect(attempts[0]?.timeoutMs).toBeLessThanOrEqual(500);
    expect(attempts[1]).toMatchObject({ node: 'fast', ok: true });
    // The last node gets all of the time that is left.
    expect(attempts[1]?.timeoutMs).toBeLessThanOrEqual(1_000 - (attempts[0]?.timeoutMs ?? 0));
  });

  it('fails fast once the deadline has passed', async () => {
    const ok = await serve(good());
    let t = 1_000;
    const p = pool([{ url: ok.url, label: 'n' }], [], { now: () => t });
    t = 2_000;
    const e = await p.api.getGenesis(undefined, { deadlineMs: 1_500 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BeaconApiError);
    expect((e as BeaconApiError).code).toBe('ALL_NODES_FAILED');
    expect(ok.requests.length).toBe(0);
  });

  it('does not fail over a 400 (the request itself is wrong)', async () => {
    const a = await serve((_q, res) => json(res, 400, { code: 400, message: 'Invalid epoch' }));
    const b = await serve(good());
    const p = pool(
      [
        { url: a.url, label: 'a' },
        { url: b.url, label: 'b' },
      ],
      [],
    );
    const e = await p.api.getAttesterDuties({ epoch: 1, indices: [1] }).catch((x: unknown) => x);
    expect((e as BeaconApiError).details).toMatchObject({ code: 'HTTP_ERROR', status: 400, node: 'a' });
    expect(b.requests.length).toBe(0);
    expect(p.scores()[0]).toMatchObject({ node: 'a', healthy: true });
  });

  it('reports ALL_NODES_FAILED with every node error', async () => {
    const a = await serve((_q, res) => json(res, 500, { code: 500, message: 'a down' }));
    const b = await serve((_q, res) => json(res, 503, { code: 503, message: 'b syncing' }));
    const p = pool(
      [
        { url: a.url, label: 'a' },
        { url: b.url, label: 'b' },
      ],
      [],
    );
    const e = (await p.api.getGenesis().catch((x: unknown) => x)) as BeaconApiError;
    expect(e.code).toBe('ALL_NODES_FAILED');
    expect(e.message).toContain('a down');
    expect(e.message).toContain('b syncing');
  });

  it('publishes to every node and succeeds when one accepts', async () => {
    const bodies: string[] = [];
    const accept = (_q: unknown, res: ServerResponse) => {
      res.writeHead(200);
      res.end();
    };
    const collect =
      (inner: (q: unknown, r: ServerResponse) => void) =>
      (req: import('node:http').IncomingMessage, res: ServerResponse) => {
        let b = '';
        req.on('data', (c) => {
          b += c;
        });
        req.on('end', () => {
          bodies.push(b);
          inner(req, res);
        });
      };
    const n1 = await serve(collect(accept));
    const n2 = await serve(collect((_q, res) => json(res, 500, { code: 500, message: 'no' })));
    const n3 = await serve(collect(accept));
    const events: PoolEvent[] = [];
    const p = pool(
      [
        { url: n1.url, label: 'n1' },
        { url: n2.url, label: 'n2' },
        { url: n3.url, label: 'n3' },
      ],
      events,
    );
    const exit = randomValue(ssz.phase0.SignedVoluntaryExit, rng);
    await p.api.submitPoolVoluntaryExit({ data: exit });
    expect(bodies.length).toBe(3);
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] as string)).toEqual(ssz.phase0.SignedVoluntaryExit.toJson(exit));
    expect(events.find((e) => e.type === 'publish')).toEqual({
      type: 'publish',
      endpoint: 'submitPoolVoluntaryExit',
      succeeded: ['n1', 'n3'],
      failed: [{ node: 'n2', errorCode: 'HTTP_ERROR' }],
    });
  });

  it('fails a publish only when every node fails', async () => {
    const a = await serve((_q, res) => json(res, 500, { code: 500, message: 'x' }));
    const b = await serve((_q, res) => json(res, 400, { code: 400, message: 'invalid signature' }));
    const p = pool(
      [
        { url: a.url, label: 'a' },
        { url: b.url, label: 'b' },
      ],
      [],
    );
    const e = (await p.api
      .submitPoolVoluntaryExit({ data: randomValue(ssz.phase0.SignedVoluntaryExit, rng) })
      .catch((x: unknown) => x)) as BeaconApiError;
    expect(e.code).toBe('ALL_NODES_FAILED');
    expect((e.details as unknown as { errors: unknown[] }).errors).toHaveLength(2);
  });

  it('health checks rank a syncing node below a ready one', async () => {
    const syncing = await serve(
      createRouteHandler({
        getHealth: () => ({ status: 206 }),
        getSyncingStatus: () => ({ data: { headSlot: 10, syncDistance: 90, isSyncing: true }, meta: {} }),
      }),
    );
    const ready = await serve(
      createRouteHandler({
        getHealth: () => ({ status: 200 }),
        getSyncingStatus: () => ({ data: { headSlot: 100, syncDistance: 0, isSyncing: false }, meta: {} }),
      }),
    );
    const events: PoolEvent[] = [];
    const p = pool(
      [
        { url: syncing.url, label: 'syncing' },
        { url: ready.url, label: 'ready' },
      ],
      events,
    );
    const scores = await p.checkHealth();
    expect(scores.map((s) => [s.node, s.healthy])).toEqual([
      ['ready', true],
      ['syncing', false],
    ]);
    expect(events).toContainEqual({ type: 'health', node: 'syncing', healthy: false, reason: 'syncing' });
  });

  it('prefers the lower-latency node among healthy ones', async () => {
    const slowish = await serve((req, res) => {
      setTimeout(() => good()(req, res), 250).unref();
    });
    const quick = await serve(good());
    const p = pool(
      [
        { url: slowish.url, label: 'slowish' },
        { url: quick.url, label: 'quick' },
      ],
      [],
    );
    // No latency known yet: configured order. A node without samples counts as 100 ms.
    expect(p.ranked().map((n) => n.label)).toEqual(['slowish', 'quick']);
    await p.api.getGenesis();
    expect(slowish.requests.length).toBe(1);
    expect(p.scores()[0]).toMatchObject({ node: 'quick', latencyMs: undefined });
    expect(p.scores()[1]?.latencyMs).toBeGreaterThanOrEqual(240);
    await p.api.getGenesis();
    expect(quick.requests.length).toBe(1);
    expect(slowish.requests.length).toBe(1);
  });

  it('rejects an empty or ambiguous node list', () => {
    expect(() => createBeaconNodePool({ nodes: [] })).toThrow(BeaconApiError);
    const n = createBeaconNodeClient({ url: 'http://127.0.0.1:1', label: 'x' });
    expect(() => createBeaconNodePool({ nodes: [n, n] })).toThrow(/unique/);
  });
});
