// The one error class: every code renders `[CODE] shortMessage`, keeps its cause, and narrows its
// details through isBeaconApiError; src/ throws nothing else; decode failures reach the caller as
// INVALID_RESPONSE / WRONG_CONSENSUS_VERSION naming the node, with the DECODE_ERROR as cause.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BeaconApiError,
  type BeaconApiErrorDetails,
  createBeaconNodeClient,
  endpoints,
  isBeaconApiError,
} from '../src/index.ts';
import { BeaconApiError as PresetEntryError } from '../src/preset.ts';
import { BeaconApiError as SpecEntryError } from '../src/spec.ts';
import { startServer, type TestServer } from './helpers/http.ts';

const samples: BeaconApiErrorDetails[] = [
  { code: 'HTTP_ERROR', endpoint: 'getGenesis.v1', node: 'a', status: 500, body: 'oops' },
  { code: 'INVALID_RESPONSE', endpoint: 'getGenesis.v1', node: 'a', field: 'data.x', reason: 'missing' },
  { code: 'WRONG_CONSENSUS_VERSION', endpoint: 'getBlock.v2', node: 'a', expected: 'deneb', got: 'electra' },
  { code: 'TIMEOUT', endpoint: 'getGenesis.v1', node: 'a', timeoutMs: 5 },
  { code: 'NETWORK_ERROR', endpoint: 'getGenesis.v1', node: 'a', reason: 'ECONNREFUSED' },
  { code: 'ABORTED', endpoint: 'getGenesis.v1', node: 'a' },
  { code: 'NOT_SUPPORTED', endpoint: 'getLiveness', node: 'a', tried: ['getLiveness.v1'] },
  { code: 'ALL_NODES_FAILED', endpoint: 'getGenesis', errors: [{ node: 'a', message: 'down' }] },
  { code: 'INVALID_REQUEST', endpoint: 'events', field: 'topics', reason: 'at least one topic' },
  { code: 'INVALID_CONFIG', field: 'url', reason: 'not a URL' },
  { code: 'INVALID_DEPOSIT_DATA', index: 2, field: 'amount', reason: 'not a number' },
  { code: 'UNSUPPORTED_FORK', fork: 'gloas' },
  { code: 'DECODE_ERROR', field: 'data[3].slot', reason: 'expected a decimal' },
  { code: 'REQUEST_REJECTED', status: 400, reason: 'bad epoch', failures: [{ index: 0, message: 'x' }] },
  { code: 'PRESET_MISMATCH', requested: 'minimal', active: 'mainnet', hint: 'set LODESTAR_PRESET=minimal' },
];

describe('BeaconApiError', () => {
  it('renders every code as [CODE] shortMessage and keeps the cause', () => {
    const cause = new Error('underlying');
    for (const d of samples) {
      const e = new BeaconApiError(d, { cause });
      expect(e.name).toBe('BeaconApiError');
      expect(e.code).toBe(d.code);
      expect(e.details).toBe(d);
      expect(e.shortMessage.length).toBeGreaterThan(5);
      expect(e.message).toBe(`[${d.code}] ${e.shortMessage}`);
      expect(e.cause).toBe(cause);
    }
    expect(new Set(samples.map((d) => d.code)).size).toBe(samples.length);
  });

  it('narrows details by code, and is one class behind every entry point', () => {
    const e: unknown = new BeaconApiError({ code: 'REQUEST_REJECTED', status: 413, reason: 'too large' });
    expect(isBeaconApiError(e)).toBe(true);
    expect(isBeaconApiError(e, 'HTTP_ERROR')).toBe(false);
    expect(isBeaconApiError(new Error('x'))).toBe(false);
    if (!isBeaconApiError(e, 'REQUEST_REJECTED')) throw new Error('not narrowed');
    const status: number = e.details.status; // typed by the code
    expect(status).toBe(413);
    expect(SpecEntryError).toBe(BeaconApiError);
    expect(PresetEntryError).toBe(BeaconApiError);
  });

  it('is the only thing src/ throws', () => {
    const dir = fileURLToPath(new URL('../src/', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const f of files) {
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/throw new (?!BeaconApiError\b)/.test(line)) offenders.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders).toEqual([]);
  });
});

describe('decode failures through the client', () => {
  const servers: TestServer[] = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it('reports a bad field as INVALID_RESPONSE with the DECODE_ERROR as cause', async () => {
    const s = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          data: {
            genesis_time: 'x',
            genesis_validators_root: `0x${'11'.repeat(32)}`,
            genesis_fork_version: '0x00000001',
          },
        }),
      );
    });
    servers.push(s);
    const client = createBeaconNodeClient({ url: s.url, label: 'bad' });
    const e = await client.call(endpoints.getGenesis, undefined).catch((x: unknown) => x);
    if (!isBeaconApiError(e, 'INVALID_RESPONSE')) throw e;
    expect(e.details).toMatchObject({ node: 'bad', endpoint: 'getGenesis.v1', field: 'data.genesis_time' });
    expect(isBeaconApiError(e.cause, 'DECODE_ERROR') && e.cause.details.field).toBe('data.genesis_time');
  });
});
