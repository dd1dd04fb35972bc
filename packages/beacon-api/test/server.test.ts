// The server side of the route definitions (createRouteHandler) on a real loopback server:
// unknown routes, wrong methods, unimplemented endpoints, bad requests, implementation errors,
// content negotiation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeaconApiError } from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import { ssz } from '../src/spec.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng, randomValue } from './helpers/random.ts';

const genesis = randomValue(ssz.phase0.Genesis, createRng(4));
let s: TestServer;
beforeAll(async () => {
  s = await startServer(
    createRouteHandler({
      getGenesis: () => ({ data: genesis, meta: {} }),
      getAttesterDuties: ({ epoch }) => {
        if (epoch > 100) {
          throw new BeaconApiError({
            code: 'REQUEST_REJECTED',
            status: 400,
            reason: `Invalid epoch: ${epoch}`,
          });
        }
        throw new Error('database closed');
      },
      submitPoolVoluntaryExit: () => {
        throw new BeaconApiError({
          code: 'REQUEST_REJECTED',
          status: 400,
          reason: 'some failed',
          failures: [{ index: 0, message: 'bad signature' }],
        });
      },
      getHealth: () => ({ status: 206 }),
    }),
  );
});
afterAll(() => s.close());

const get = (path: string, init: RequestInit = {}) => fetch(`${s.url}${path}`, init);

describe('createRouteHandler', () => {
  it('serves JSON by default and honours the health status', async () => {
    const r = await get('/eth/v1/beacon/genesis');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ data: ssz.phase0.Genesis.toJson(genesis) });
    expect((await get('/eth/v1/node/health')).status).toBe(206);
  });

  it('answers unknown paths 404, wrong methods 405 and unimplemented endpoints 501', async () => {
    const r404 = await get('/eth/v9/nothing');
    expect(r404.status).toBe(404);
    expect(await r404.json()).toEqual({ code: 404, message: 'Route GET:/eth/v9/nothing not found' });
    expect((await get('/eth/v1/beacon/genesis', { method: 'POST' })).status).toBe(405);
    expect((await get('/eth/v1/config/spec')).status).toBe(501);
  });

  it('answers 400 for a malformed request, naming the field', async () => {
    const r = await get('/eth/v1/validator/duties/attester/1', {
      method: 'POST',
      body: '["x"]',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain('(body)[0]');
    const nan = await get('/eth/v1/validator/duties/attester/abc', { method: 'POST', body: '["1"]' });
    expect(((await nan.json()) as { message: string }).message).toContain('epoch');
    const notJson = await get('/eth/v1/validator/duties/attester/1', {
      method: 'POST',
      body: '[',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
  });

  it('maps REQUEST_REJECTED to its status and body, other errors to 500', async () => {
    const r400 = await get('/eth/v1/validator/duties/attester/101', { method: 'POST', body: '["1"]' });
    expect(r400.status).toBe(400);
    expect(await r400.json()).toEqual({ code: 400, message: 'Invalid epoch: 101' });
    const r500 = await get('/eth/v1/validator/duties/attester/1', { method: 'POST', body: '["1"]' });
    expect(r500.status).toBe(500);
    expect(await r500.json()).toEqual({ code: 500, message: 'database closed' });
    const exit = ssz.phase0.SignedVoluntaryExit.toJson(
      randomValue(ssz.phase0.SignedVoluntaryExit, createRng(1)),
    );
    const rf = await get('/eth/v1/beacon/pool/voluntary_exits', {
      method: 'POST',
      body: JSON.stringify(exit),
    });
    expect(await rf.json()).toEqual({
      code: 400,
      message: 'some failed',
      failures: [{ index: 0, message: 'bad signature' }],
    });
  });
});
