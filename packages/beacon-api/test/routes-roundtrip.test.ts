// Every endpoint, every version, JSON and SSZ bodies, every fork its shapes depend on: the client
// encodes the arguments, a real loopback server (createRouteHandler over the same route
// definitions) decodes them and answers with a random result, and the client must decode exactly
// that result. Older versions are reached the way a real node forces them: newer routes answer 404.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyEndpoint, createBeaconNodeClient, type EndpointName, endpoints } from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import { FORKS, type Fork, forkAtLeast, producedBlockType } from '../src/spec.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng, randomValue } from './helpers/random.ts';
import { FORK_DEPENDENT, samples } from './helpers/samples.ts';

let server: TestServer;
let handler: (req: IncomingMessage, res: ServerResponse) => void = (_q, s) => s.end();
beforeAll(async () => {
  server = await startServer((req, res) => handler(req, res));
});
afterAll(() => server.close());

// Routes whose body shape is phase0's: not used from electra on (from altair on for blocks).
const PHASE0_SHAPES: Record<string, Fork> = {
  'getPoolAttestations.v1': 'electra',
  'getAggregatedAttestation.v1': 'electra',
  'submitPoolAttestations.v1': 'electra',
  'publishAggregateAndProofs.v1': 'electra',
  'getBlock.v1': 'altair',
};

interface Case {
  name: EndpointName;
  routeIndex: number;
  routeId: string;
  fork: Fork;
}

const cases: Case[] = [];
for (const name of Object.keys(endpoints) as EndpointName[]) {
  const e = endpoints[name] as AnyEndpoint;
  const forks = FORK_DEPENDENT.has(name) ? FORKS : (['phase0'] as const);
  e.routes.forEach((route, routeIndex) => {
    for (const fork of forks) {
      const until = PHASE0_SHAPES[route.id];
      if (until !== undefined && forkAtLeast(fork, until)) continue;
      cases.push({ name, routeIndex, routeId: route.id, fork });
    }
  });
}

function stripForRoute(c: Case, args: Record<string, unknown>): Record<string, unknown> {
  const out = { ...args };
  if (
    c.routeId.endsWith('.v1') &&
    (c.name === 'submitPoolAttestations' || c.name === 'publishAggregateAndProofs')
  )
    delete out.fork;
  if (c.routeId !== 'produceBlock.v3') delete out.builderBoostFactor;
  if (c.routeId === 'getAggregatedAttestation.v1') delete out.committeeIndex;
  if (c.routeId.endsWith('.v1') && (c.name === 'publishBlock' || c.name === 'publishBlindedBlock'))
    delete out.broadcastValidation;
  return out;
}

// json: never SSZ; ssz: SSZ wherever the route can (client and server both ours); spec: the
// client defaults, SSZ only where the beacon-APIs spec defines it.
describe.each(['json', 'ssz', 'spec'] as const)('route round trips over HTTP (%s bodies)', (mode) => {
  it.each(cases.map((c) => [`${c.routeId} ${c.fork}`, c] as const))('%s', async (_title, c) => {
    const endpoint = endpoints[c.name] as AnyEndpoint;
    const rng = createRng(c.routeIndex * 1000 + FORKS.indexOf(c.fork) * 17 + c.name.length);
    const sample = samples[c.name](c.fork, rng);
    let expected = sample.ret as { data: unknown; meta: Record<string, unknown> } | undefined;
    if (c.routeId === 'produceBlock.v2') {
      // v2 cannot return a blinded block nor the block values.
      const data = randomValue(producedBlockType(c.fork, false), rng);
      expected = {
        data,
        meta: { version: c.fork, blinded: false, executionPayloadValue: 0n, consensusBlockValue: 0n },
      };
    }
    const serverRet = expected;
    if (
      expected !== undefined &&
      /\.v1$/.test(c.routeId) &&
      endpoint.routes.length > 1 &&
      'version' in expected.meta
    ) {
      // v1 of a versioned endpoint has no version field.
      const { version: _v, ...meta } = expected.meta;
      expected = { data: expected.data, meta };
    }

    let received: unknown;
    const disabled = endpoint.routes.slice(0, c.routeIndex).map((r) => r.id);
    handler = createRouteHandler(
      {
        [c.name]: (args: unknown) => {
          received = args;
          return serverRet;
        },
      },
      { disabledRoutes: disabled },
    );
    const contentTypes: (string | null)[] = [];
    const requestTypes: (string | undefined)[] = [];
    const client = createBeaconNodeClient({
      url: server.url,
      sszResponses: mode === 'ssz' ? 'all' : mode === 'spec',
      sszRequests: mode === 'ssz' ? 'all' : mode === 'spec',
      fetch: async (input, init) => {
        requestTypes.push((init.headers as Record<string, string> | undefined)?.['content-type']);
        const res = await fetch(input, init);
        contentTypes.push(res.headers.get('content-type'));
        return res;
      },
    });
    const result = await client.call(endpoint, sample.args as never);

    if (sample.args !== undefined) {
      expect(stripForRoute(c, received as Record<string, unknown>)).toEqual(
        stripForRoute(c, sample.args as Record<string, unknown>),
      );
    }
    expect(result).toEqual(expected);
    // The request went to the intended version, after 404s from the newer ones.
    expect(server.requests.at(-1)).toContain(endpoint.routes[c.routeIndex]?.path.split('{')[0]);
    expect(client.unsupportedRoutes()).toEqual(disabled);
    // SSZ really travelled where it should: everywhere the route can (ssz), where the spec defines it (spec).
    const used = endpoint.routes[c.routeIndex];
    const resp = used?.resp;
    if (resp !== undefined && !resp.empty) {
      const ssz = resp.ssz && (mode === 'ssz' || (mode === 'spec' && used?.sszInSpec?.response === true));
      expect(contentTypes.at(-1)).toBe(ssz ? 'application/octet-stream' : 'application/json');
    }
    if (mode === 'spec' && used?.sszInSpec?.request === true) {
      expect(requestTypes.at(-1)).toBe('application/octet-stream');
    }
  });
});
