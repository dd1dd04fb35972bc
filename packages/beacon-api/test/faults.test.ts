// What a misbehaving beacon node can do to one client, with real HTTP servers on loopback: a slow
// node, 500s, garbage, malformed JSON fields, truncated SSZ, a wrong consensus version, a dropped
// connection, an oversized body, a refused connection, missing endpoint versions. Each must end
// as a BeaconApiError naming the endpoint, the node and (for bodies) the field, never a crash.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BeaconApiError,
  type BeaconApiErrorCode,
  type ClientEvent,
  createBeaconApi,
  createBeaconNodeClient,
  endpoints,
  isBeaconApiError,
} from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import { signedBlockType, ssz } from '../src/spec.ts';
import { AttesterDuties } from '../src/types.ts';
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

async function failure(p: Promise<unknown>): Promise<BeaconApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BeaconApiError);
    return e as BeaconApiError;
  }
  throw new Error('expected a failure');
}

function expectCode(e: BeaconApiError, code: BeaconApiErrorCode, details: Record<string, unknown> = {}) {
  expect(e.code).toBe(code);
  expect(e.details).toMatchObject(details);
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const rng = createRng(99);
const duties = randomValue(AttesterDuties, rng);
const dutiesArgs = { epoch: 1, indices: [1, 2] };
const dependentRoot = `0x${'11'.repeat(32)}`;

describe('fault handling of one node', () => {
  it('times out a slow node with TIMEOUT naming the route and node', async () => {
    const s = await serve((_req, res) => {
      setTimeout(() => json(res, 200, {}), 2_000).unref();
    });
    const api = createBeaconApi(createBeaconNodeClient({ url: s.url, label: 'slow-node' }));
    const e = await failure(api.getGenesis(undefined, { timeoutMs: 150 }));
    expectCode(e, 'TIMEOUT', { endpoint: 'getGenesis.v1', node: 'slow-node', timeoutMs: 150 });
    expect(e.message).toContain('slow-node');
  });

  it('times out a node that sends headers and then stalls the body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data": [');
    });
    const client = createBeaconNodeClient({ url: s.url, label: 'stall' });
    const e = await failure(client.call(endpoints.getAttesterDuties, dutiesArgs, { timeoutMs: 200 }));
    expectCode(e, 'TIMEOUT', { node: 'stall' });
  });

  it('parses the API error body of a 500', async () => {
    const s = await serve((_req, res) => json(res, 500, { code: 500, message: 'Internal error: db closed' }));
    const e = await failure(
      createBeaconApi(createBeaconNodeClient({ url: s.url, label: 'n500' })).getGenesis(),
    );
    expectCode(e, 'HTTP_ERROR', {
      status: 500,
      node: 'n500',
      apiError: { code: 500, message: 'Internal error: db closed' },
    });
  });

  it('parses indexed failures of a 400 from a publish', async () => {
    const s = await serve((_req, res) =>
      json(res, 400, {
        code: 400,
        message: 'some failed',
        failures: [{ index: 1, message: 'bad signature' }],
      }),
    );
    const api = createBeaconApi(createBeaconNodeClient({ url: s.url }));
    const e = await failure(api.submitPoolSyncCommitteeSignatures({ data: [] }));
    expectCode(e, 'HTTP_ERROR', {
      status: 400,
      apiError: { failures: [{ index: 1, message: 'bad signature' }] },
    });
  });

  it('reports garbage (not JSON) as INVALID_RESPONSE at (body)', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>502 bad gateway</html>');
    });
    const e = await failure(
      createBeaconNodeClient({ url: s.url, label: 'garbage' }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e, 'INVALID_RESPONSE', { field: '(body)', node: 'garbage', endpoint: 'getAttesterDuties.v1' });
  });

  it('names the offending field of a malformed JSON body', async () => {
    const body = {
      dependent_root: dependentRoot,
      execution_optimistic: false,
      data: AttesterDuties.toJson(duties) as Record<string, unknown>[],
    };
    (body.data[1] as Record<string, unknown>) = { ...(body.data[1] as object), validator_index: '-3' };
    const s = await serve((_req, res) => json(res, 200, body));
    const e = await failure(
      createBeaconNodeClient({ url: s.url }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e, 'INVALID_RESPONSE', { field: 'data[1].validator_index' });
    const s2 = await serve((_req, res) => json(res, 200, { ...body, dependent_root: '0x12' }));
    const e2 = await failure(
      createBeaconNodeClient({ url: s2.url }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e2, 'INVALID_RESPONSE', { field: 'dependent_root' });
    const s3 = await serve((_req, res) =>
      json(res, 200, { dependent_root: dependentRoot, data: [{ pubkey: `0x${'zz'.repeat(48)}` }] }),
    );
    const e3 = await failure(
      createBeaconNodeClient({ url: s3.url }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e3, 'INVALID_RESPONSE', { field: 'data[0].pubkey' });
  });

  it('rejects truncated SSZ', async () => {
    const bytes = AttesterDuties.serialize(
      duties.length > 0 ? duties : [randomValue(AttesterDuties.elementType, rng)],
    );
    const s = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'eth-consensus-dependent-root': dependentRoot,
      });
      res.end(bytes.subarray(0, bytes.length - 7));
    });
    const e = await failure(
      createBeaconNodeClient({ url: s.url, label: 'trunc' }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e, 'INVALID_RESPONSE', { field: '(ssz body)', node: 'trunc' });
  });

  it('rejects truncated SSZ of a fork-aware block', async () => {
    const block = randomValue(signedBlockType('electra'), rng);
    const bytes = signedBlockType('electra').serialize(block);
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'eth-consensus-version': 'electra' });
      res.end(bytes.subarray(0, 200));
    });
    const e = await failure(
      createBeaconNodeClient({ url: s.url }).call(endpoints.getBlock, { blockId: 'head' }),
    );
    expectCode(e, 'INVALID_RESPONSE', { field: '(ssz body)' });
  });

  it('reports a consensus-version header that disagrees with the body', async () => {
    const block = randomValue(signedBlockType('deneb'), rng);
    const s = await serve((_req, res) =>
      json(
        res,
        200,
        {
          version: 'deneb',
          execution_optimistic: false,
          finalized: false,
          data: signedBlockType('deneb').toJson(block),
        },
        { 'eth-consensus-version': 'electra' },
      ),
    );
    const e = await failure(
      createBeaconNodeClient({ url: s.url, label: 'liar' }).call(endpoints.getBlock, { blockId: 'head' }),
    );
    expectCode(e, 'WRONG_CONSENSUS_VERSION', { node: 'liar', got: 'electra', expected: 'deneb' });
  });

  it('reports a block of another fork than the caller expects, and an unknown fork', async () => {
    const handler = createRouteHandler({
      getBlock: () => ({
        data: randomValue(signedBlockType('capella'), rng),
        meta: { version: 'capella' as const },
      }),
    });
    const s = await serve(handler);
    const client = createBeaconNodeClient({ url: s.url });
    const ok = await client.call(endpoints.getBlock, { blockId: 'head' }, { expectFork: 'capella' });
    expect(ok.meta.version).toBe('capella');
    const e = await failure(client.call(endpoints.getBlock, { blockId: 'head' }, { expectFork: 'deneb' }));
    expectCode(e, 'WRONG_CONSENSUS_VERSION', { expected: 'deneb', got: 'capella' });
    const s2 = await serve((_req, res) => json(res, 200, { version: 'gloas', data: {} }));
    const e2 = await failure(
      createBeaconNodeClient({ url: s2.url }).call(endpoints.getBlock, { blockId: 'head' }),
    );
    expectCode(e2, 'INVALID_RESPONSE', { field: 'version' });
  });

  it('reports a connection dropped mid-body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write('{"data": [{"pubkey": "0x');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const e = await failure(
      createBeaconNodeClient({ url: s.url, label: 'drop' }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expectCode(e, 'NETWORK_ERROR', { node: 'drop' });
  });

  it('refuses an oversized body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"data": "${'a'.repeat(10_000)}"}`);
    });
    const e = await failure(
      createBeaconNodeClient({ url: s.url, maxBodyBytes: 1_000 }).call(endpoints.getSpec, undefined),
    );
    expectCode(e, 'NETWORK_ERROR');
    expect(e.message).toContain('limit');
  });

  it('reports a refused connection as NETWORK_ERROR', async () => {
    const s = await serve((_q, res) => res.end());
    const url = s.url;
    await s.close();
    servers.pop();
    const e = await failure(
      createBeaconNodeClient({ url, label: 'down' }).call(endpoints.getGenesis, undefined),
    );
    expectCode(e, 'NETWORK_ERROR', { node: 'down' });
    expect((e.details as { reason: string }).reason).toMatch(/ECONNREFUSED/);
  });

  it('bounds each attempt by the deadline and makes no request once it has passed', async () => {
    const s = await serve((_req, res) => {
      setTimeout(() => json(res, 200, {}), 2_000).unref();
    });
    let t = 1_000;
    const client = createBeaconNodeClient({ url: s.url, now: () => t });
    const e = await failure(client.call(endpoints.getGenesis, undefined, { deadlineMs: 1_150 }));
    expectCode(e, 'TIMEOUT', { timeoutMs: 150 });
    t = 2_000;
    const late = await failure(client.call(endpoints.getGenesis, undefined, { deadlineMs: 1_500 }));
    expectCode(late, 'TIMEOUT', { timeoutMs: 0 });
    expect(s.requests.length).toBe(1);
  });

  it('aborts on the caller signal', async () => {
    const s = await serve(() => {});
    const ac = new AbortController();
    const p = createBeaconNodeClient({ url: s.url }).call(endpoints.getGenesis, undefined, {
      signal: ac.signal,
    });
    ac.abort();
    expectCode(await failure(p), 'ABORTED');
  });
});

describe('version fallback against a node that lacks newer versions', () => {
  // Lodestar 1.5.1's fastify answers unknown routes like this.
  const lodestarMissing = (res: ServerResponse, method: string, url: string) =>
    json(res, 404, { message: `Route ${method}:${url} not found`, error: 'Not Found', statusCode: 404 });

  it('falls back v3 -> v2 for produce block, remembers it, and reports it', async () => {
    const block = randomValue(ssz.altair.BeaconBlock, rng);
    const s = await serve((req, res) => {
      if (req.url?.startsWith('/eth/v3/')) return lodestarMissing(res, 'GET', req.url);
      json(res, 200, { version: 'altair', data: ssz.altair.BeaconBlock.toJson(block) });
    });
    const events: ClientEvent[] = [];
    const client = createBeaconNodeClient({
      url: s.url,
      label: 'lodestar-1.5.1',
      onEvent: (e) => events.push(e),
    });
    const args = { slot: 9, randaoReveal: randomValue(ssz.BLSSignature, rng), graffiti: new Uint8Array(32) };
    const first = await client.call(endpoints.produceBlock, args);
    expect(first.meta).toEqual({
      version: 'altair',
      blinded: false,
      executionPayloadValue: 0n,
      consensusBlockValue: 0n,
    });
    expect(ssz.altair.BeaconBlock.equals(first.data, block)).toBe(true);
    expect(events.filter((e) => e.type === 'fallback')).toEqual([
      {
        type: 'fallback',
        node: 'lodestar-1.5.1',
        endpoint: 'produceBlock',
        from: 'produceBlock.v3',
        to: 'produceBlock.v2',
        status: 404,
      },
    ]);
    await client.call(endpoints.produceBlock, args);
    expect(s.requests.map((r) => r.split('?')[0])).toEqual([
      'GET /eth/v3/validator/blocks/9',
      'GET /eth/v2/validator/blocks/9',
      'GET /eth/v2/validator/blocks/9',
    ]);
    expect(client.unsupportedRoutes()).toEqual(['produceBlock.v3']);
  });

  it('tries a missing version again after reprobeAfterMs (the node may have been upgraded)', async () => {
    let upgraded = false;
    const block = randomValue(ssz.altair.BeaconBlock, rng);
    const s = await serve((req, res) => {
      if (req.url?.startsWith('/eth/v3/') && !upgraded) return lodestarMissing(res, 'GET', req.url);
      if (req.url?.startsWith('/eth/v3/')) {
        return json(res, 200, {
          version: 'altair',
          execution_payload_blinded: false,
          execution_payload_value: '0',
          consensus_block_value: '5',
          data: ssz.altair.BeaconBlock.toJson(block),
        });
      }
      json(res, 200, { version: 'altair', data: ssz.altair.BeaconBlock.toJson(block) });
    });
    let t = 0;
    const client = createBeaconNodeClient({ url: s.url, now: () => t, reprobeAfterMs: 60_000 });
    const args = { slot: 9, randaoReveal: randomValue(ssz.BLSSignature, rng), graffiti: new Uint8Array(32) };
    await client.call(endpoints.produceBlock, args);
    upgraded = true;
    t = 59_000;
    expect((await client.call(endpoints.produceBlock, args)).meta.consensusBlockValue).toBe(0n); // still v2
    t = 61_000;
    expect(client.unsupportedRoutes()).toEqual([]);
    expect((await client.call(endpoints.produceBlock, args)).meta.consensusBlockValue).toBe(5n); // v3 again
    expect(s.requests.map((r) => r.split('/')[2])).toEqual(['v3', 'v2', 'v2', 'v3']);
  });

  it('falls back on 405 and does not fall back on a 404 for a missing object', async () => {
    const s = await serve((req, res) => {
      if (req.url?.startsWith('/eth/v2/'))
        return json(res, 405, { code: 405, message: 'Method not allowed' });
      json(res, 404, { code: 404, message: 'No matching attestation found' });
    });
    const client = createBeaconNodeClient({ url: s.url });
    const e = await failure(
      client.call(endpoints.getAggregatedAttestation, {
        slot: 1,
        attestationDataRoot: new Uint8Array(32),
        committeeIndex: 0,
      }),
    );
    expectCode(e, 'HTTP_ERROR', { status: 404, endpoint: 'getAggregatedAttestation.v1' });
    expect(client.unsupportedRoutes()).toEqual(['getAggregatedAttestation.v2']);
  });

  it('reports NOT_SUPPORTED when no version exists (liveness on Lodestar 1.5.1)', async () => {
    const s = await serve((req, res) => lodestarMissing(res, req.method ?? 'GET', req.url ?? ''));
    const client = createBeaconNodeClient({ url: s.url, label: 'old' });
    const e = await failure(client.call(endpoints.getLiveness, { epoch: 1, indices: [0] }));
    expectCode(e, 'NOT_SUPPORTED', { node: 'old', tried: ['getLiveness.v1'] });
    const again = await failure(client.call(endpoints.getLiveness, { epoch: 1, indices: [0] }));
    expectCode(again, 'NOT_SUPPORTED');
    expect(s.requests.length).toBe(1);
  });

  it('falls back from POST to GET validators, with repeated id query parameters', async () => {
    const s = await serve((req, res) => {
      if (req.method === 'POST') return lodestarMissing(res, 'POST', req.url ?? '');
      json(res, 200, { execution_optimistic: false, finalized: false, data: [] });
    });
    const api = createBeaconApi(createBeaconNodeClient({ url: s.url }));
    const r = await api.getStateValidators({ stateId: 'head', ids: [0, 1, '0xab'] });
    expect(r.data).toEqual([]);
    expect(s.requests[1]).toBe('GET /eth/v1/beacon/states/head/validators?id=0&id=1&id=0xab');
  });

  it('never sends electra attestations to v1: a node without v2 is NOT_SUPPORTED', async () => {
    const s = await serve((req, res) => lodestarMissing(res, req.method ?? 'GET', req.url ?? ''));
    const client = createBeaconNodeClient({ url: s.url });
    const e = await failure(client.call(endpoints.submitPoolAttestations, { fork: 'electra', data: [] }));
    // v1 cannot carry SingleAttestation: only v2 is tried.
    expectCode(e, 'NOT_SUPPORTED', { tried: ['submitPoolAttestations.v2'] });
  });
});

describe('errors are typed', () => {
  it('isBeaconApiError narrows by code', async () => {
    const s = await serve((_req, res) =>
      json(res, 503, { code: 503, message: 'Beacon node is currently syncing' }),
    );
    const e = await failure(
      createBeaconNodeClient({ url: s.url }).call(endpoints.getAttesterDuties, dutiesArgs),
    );
    expect(isBeaconApiError(e, 'HTTP_ERROR')).toBe(true);
    expect(isBeaconApiError(e, 'TIMEOUT')).toBe(false);
  });

  it('rejects a bad URL at construction', () => {
    expect(() => createBeaconNodeClient({ url: 'not a url' })).toThrow(BeaconApiError);
  });
});
