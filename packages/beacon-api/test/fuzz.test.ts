// Nothing a node sends can crash the caller: valid responses of several endpoints, mutated at
// random (seeded: keys dropped, values retyped, strings cut, arrays emptied or doubled, bytes
// flipped or cut in SSZ bodies), served by a real loopback server. Every call must either succeed
// or fail with a BeaconApiError; any other exception (TypeError, RangeError, ...) fails the test.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnyEndpoint,
  BeaconApiError,
  createBeaconNodeClient,
  type EndpointName,
  endpoints,
} from '../src/index.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng } from './helpers/random.ts';
import { samples } from './helpers/samples.ts';

let server: TestServer;
let respond: (res: ServerResponse) => void = (res) => res.end();
beforeAll(async () => {
  server = await startServer((req, res) => {
    req.resume();
    req.on('end', () => respond(res));
  });
});
afterAll(() => server.close());

function mutate(v: unknown, rng: () => number, depth = 0): unknown {
  const pick = rng() % 10;
  if (Array.isArray(v)) {
    if (pick === 0) return [];
    if (pick === 1) return [...v, ...v];
    if (v.length > 0 && pick < 7) {
      const i = rng() % v.length;
      const copy = [...v];
      copy[i] = mutate(copy[i], rng, depth + 1);
      return copy;
    }
    return pick === 7 ? {} : v;
  }
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v);
    const o = { ...(v as Record<string, unknown>) };
    if (keys.length === 0) return pick < 5 ? null : o;
    const k = keys[rng() % keys.length] as string;
    if (pick === 0) delete o[k];
    else if (pick === 1) o[k] = null;
    else if (pick === 2) o[k] = 12345;
    else if (pick === 3) return [o];
    else o[k] = mutate(o[k], rng, depth + 1);
    return o;
  }
  if (typeof v === 'string') {
    if (pick === 0) return v.slice(0, Math.max(0, v.length - 1 - (rng() % 5)));
    if (pick === 1) return `${v}zz`;
    if (pick === 2) return v.replace(/[0-9a-f]/, 'g');
    if (pick === 3) return Number(v);
    if (pick === 4) return '-1';
    if (pick === 5) return '18446744073709551616';
    if (pick === 6) return { v };
    return v;
  }
  if (typeof v === 'boolean') return pick < 5 ? String(v) : !v;
  return pick < 5 ? String(v) : v;
}

const TARGETS: [EndpointName, 'phase0' | 'altair' | 'deneb' | 'electra' | 'fulu'][] = [
  ['getAttesterDuties', 'phase0'],
  ['getProposerDuties', 'phase0'],
  ['getSyncCommitteeDuties', 'phase0'],
  ['getStateValidators', 'phase0'],
  ['getSyncingStatus', 'phase0'],
  ['getNodeIdentity', 'phase0'],
  ['getSpec', 'phase0'],
  ['getForkSchedule', 'phase0'],
  ['getBlock', 'electra'],
  ['getBlock', 'altair'],
  ['produceBlock', 'deneb'],
  ['produceBlock', 'fulu'],
  ['getAggregatedAttestation', 'electra'],
  ['produceAttestationData', 'phase0'],
];

describe('fuzzed responses never crash the client', () => {
  it.each(TARGETS)(
    '%s (%s): 150 mutated JSON bodies, 60 damaged SSZ bodies where it has SSZ',
    async (name, fork) => {
      const endpoint = endpoints[name] as AnyEndpoint;
      const route = endpoint.routes[0]!;
      const rng = createRng(name.length * 7919 + fork.length);
      const sample = samples[name](fork, rng);
      const encoded = route.resp.toJson(sample.ret as never);
      const ssz = route.resp.toSsz?.(sample.ret as never);
      const client = createBeaconNodeClient({ url: server.url, label: 'fuzz', sszResponses: 'all' });
      let ok = 0;
      let typed = 0;
      const attempt = async () => {
        try {
          await client.request(route, sample.args as never);
          ok++;
        } catch (e) {
          if (!(e instanceof BeaconApiError)) throw e;
          expect(e.details).toHaveProperty('code');
          typed++;
        }
      };
      for (let i = 0; i < 150; i++) {
        const body = JSON.stringify(mutate(encoded.body, rng));
        respond = (res) => {
          res.writeHead(200, { 'content-type': 'application/json', ...(encoded.headers ?? {}) });
          res.end(body);
        };
        await attempt();
      }
      if (ssz !== undefined) {
        for (let i = 0; i < 60; i++) {
          const bytes = new Uint8Array(ssz.bytes);
          const cut = i % 3 === 0 ? bytes.subarray(0, rng() % Math.max(1, bytes.length)) : bytes;
          if (i % 3 !== 0 && cut.length > 0) {
            for (let k = 0; k < 1 + (rng() % 4); k++) {
              const j = rng() % cut.length;
              cut[j] = (cut[j] as number) ^ (1 << (rng() % 8));
            }
          }
          const headers = { ...(ssz.headers ?? {}) };
          if (i % 5 === 0)
            headers['eth-consensus-version'] = ['gloas', 'Phase0', '', 'x'][rng() % 4] as string;
          respond = (res) => {
            res.writeHead(200, { 'content-type': 'application/octet-stream', ...headers });
            res.end(cut);
          };
          await attempt();
        }
      }
      expect(ok + typed).toBe(150 + (ssz !== undefined ? 60 : 0));
      expect(typed).toBeGreaterThan(30);
    },
  );
});
