// Server-sent events: the stream parser, typed decoding, and a real loopback SSE server that
// drops the stream, refuses connections and sends bad events; the subscription must reconnect
// (with Last-Event-ID), keep delivering, and report what happened through onStatus.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeBeaconEvent } from '../src/events.ts';
import {
  BeaconApiError,
  type BeaconEvent,
  createBeaconNodeClient,
  createBeaconNodePool,
  type EventStreamStatus,
  isBeaconApiError,
  subscribeEvents,
} from '../src/index.ts';
import { bytesToHex } from '../src/internal/json.ts';
import { ssz } from '../src/spec.ts';
import { createSseParser } from '../src/sse.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng, randomValue } from './helpers/random.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const root = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}`;
const head = (slot: number) => ({
  slot: String(slot),
  block: root(slot % 256),
  state: root((slot + 1) % 256),
  epoch_transition: slot % 8 === 0,
  previous_duty_dependent_root: root(1),
  current_duty_dependent_root: root(2),
  execution_optimistic: false,
});

describe('SSE parser', () => {
  it('handles any chunking, CRLF, comments, multi-line data, ids and retry', () => {
    const stream =
      ': keep-alive\r\nevent: head\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\nretry: 1500\nevent: block\ndata:{"b":2}\n\n';
    for (const size of [1, 2, 3, 5, 8, 13, stream.length]) {
      const got: { event: string; data: string; id?: string }[] = [];
      const p = createSseParser((m) => got.push(m));
      for (let i = 0; i < stream.length; i += size) p.push(stream.slice(i, i + size));
      expect(got).toEqual([
        { event: 'head', data: '{"a":\n1}', id: '7' },
        { event: 'block', data: '{"b":2}', id: '7' },
      ]);
      expect(p.lastEventId()).toBe('7');
      expect(p.retryMs()).toBe(1500);
    }
  });
});

describe('typed events', () => {
  it('decodes head, block, finalized_checkpoint, chain_reorg, voluntary_exit, contribution_and_proof and attestations', () => {
    const h = decodeBeaconEvent('head', JSON.stringify(head(16)));
    expect(h).toMatchObject({
      topic: 'head',
      data: { slot: 16, epochTransition: true, executionOptimistic: false },
    });
    expect(bytesToHex((h as { data: { block: Uint8Array } }).data.block)).toBe(root(16));
    expect(decodeBeaconEvent('block', JSON.stringify({ slot: '3', block: root(3) }))).toMatchObject({
      topic: 'block',
      data: { slot: 3 },
    });
    expect(
      decodeBeaconEvent(
        'finalized_checkpoint',
        JSON.stringify({ block: root(1), state: root(2), epoch: '4' }),
      ),
    ).toMatchObject({
      topic: 'finalized_checkpoint',
      data: { epoch: 4 },
    });
    const reorg = {
      slot: '9',
      depth: '2',
      old_head_block: root(1),
      new_head_block: root(2),
      old_head_state: root(3),
      new_head_state: root(4),
      epoch: '1',
    };
    expect(decodeBeaconEvent('chain_reorg', JSON.stringify(reorg))).toMatchObject({
      topic: 'chain_reorg',
      data: { depth: 2 },
    });
    const rng = createRng(3);
    const exit = randomValue(ssz.phase0.SignedVoluntaryExit, rng);
    const e = decodeBeaconEvent(
      'voluntary_exit',
      JSON.stringify(ssz.phase0.SignedVoluntaryExit.toJson(exit)),
    );
    expect(e).toEqual({ topic: 'voluntary_exit', data: exit });
    const cp = randomValue(ssz.altair.SignedContributionAndProof, rng);
    expect(
      decodeBeaconEvent(
        'contribution_and_proof',
        JSON.stringify(ssz.altair.SignedContributionAndProof.toJson(cp)),
      ),
    ).toEqual({
      topic: 'contribution_and_proof',
      data: cp,
    });
    expect(decodeBeaconEvent('payload_attributes', '{"x":1}', '5')).toEqual({
      topic: 'raw',
      event: 'payload_attributes',
      data: { x: 1 },
      id: '5',
    });
    for (const t of [ssz.phase0.Attestation, ssz.electra.Attestation]) {
      const a = randomValue(t as typeof ssz.phase0.Attestation, rng);
      expect(decodeBeaconEvent('attestation', JSON.stringify(t.toJson(a as never)))).toEqual({
        topic: 'attestation',
        data: a,
      });
    }
    const single = randomValue(ssz.electra.SingleAttestation, rng);
    expect(
      decodeBeaconEvent('single_attestation', JSON.stringify(ssz.electra.SingleAttestation.toJson(single))),
    ).toEqual({
      topic: 'single_attestation',
      data: single,
    });
    expect(() => decodeBeaconEvent('attestation', '{"x":1}')).toThrow(BeaconApiError);
  });

  it('names the bad field of a malformed event', () => {
    expect(() => decodeBeaconEvent('head', JSON.stringify({ ...head(1), block: '0x1234' }))).toThrow(
      BeaconApiError,
    );
    try {
      decodeBeaconEvent('head', JSON.stringify({ ...head(1), slot: 'x' }));
    } catch (e) {
      expect(isBeaconApiError(e, 'DECODE_ERROR') && e.details.field).toBe('data.slot');
    }
    expect(() => decodeBeaconEvent('block', 'not json')).toThrow(BeaconApiError);
  });
});

/** An SSE endpoint: each connection gets `script(n, req, res)` (n = 0, 1, ...). */
async function sseServer(script: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  let n = 0;
  const s = await startServer((req, res) => {
    if (!req.url?.startsWith('/eth/v1/events')) {
      res.writeHead(404);
      res.end();
      return;
    }
    script(n++, req, res);
  });
  servers.push(s);
  return s;
}

function waitFor<T>(items: T[], count: number, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (items.length >= count) return resolve();
      if (Date.now() - t0 > timeoutMs)
        return reject(new Error(`only ${items.length} of ${count} after ${timeoutMs} ms`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

describe('event subscription over HTTP', () => {
  it('sends topics as repeated query parameters and reconnects with Last-Event-ID after a drop', async () => {
    const lastIds: (string | undefined)[] = [];
    const s = await sseServer((n, req, res) => {
      lastIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`id: ${n * 10 + 1}\nevent: head\ndata: ${JSON.stringify(head(n * 10 + 1))}\n\n`);
      if (n === 0) setTimeout(() => res.socket?.destroy(), 30); // the stream drops
    });
    const events: BeaconEvent[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEvents(createBeaconNodeClient({ url: s.url, label: 'sse' }), {
      topics: ['head', 'block'],
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
      reconnectDelayMs: 20,
    });
    await waitFor(events, 2);
    sub.close();
    await sub.closed;
    expect(s.requests[0]).toBe('GET /eth/v1/events?topics=head&topics=block');
    expect(events.map((e) => (e.topic === 'head' ? e.data.slot : -1))).toEqual([1, 11]);
    expect(lastIds).toEqual([undefined, '1']);
    expect(statuses.map((x) => x.type)).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('keeps going after a bad event and after refused or failing connections', async () => {
    const s = await sseServer((n, _req, res) => {
      if (n === 0) {
        res.writeHead(503);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `event: head\ndata: {"slot": "nope"}\n\nevent: block\ndata: ${JSON.stringify({ slot: '5', block: root(5) })}\n\n`,
      );
    });
    const events: BeaconEvent[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEvents(createBeaconNodeClient({ url: s.url, label: 'flaky' }), {
      topics: ['head', 'block'],
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
      reconnectDelayMs: 10,
    });
    await waitFor(events, 1);
    sub.close();
    await sub.closed;
    expect(events).toMatchObject([{ topic: 'block', data: { slot: 5 } }]);
    expect(statuses[0]).toMatchObject({ type: 'disconnected', reason: 'HTTP 503' });
    expect(statuses).toContainEqual({
      type: 'invalid-event',
      node: 'flaky',
      event: 'head',
      field: 'data.slot',
      reason: expect.any(String),
    });
  });

  it('a throwing handler is reported, not propagated', async () => {
    const s = await sseServer((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: block\ndata: ${JSON.stringify({ slot: '5', block: root(5) })}\n\n`);
      res.write(`event: block\ndata: ${JSON.stringify({ slot: '6', block: root(6) })}\n\n`);
    });
    const seen: number[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEvents(createBeaconNodeClient({ url: s.url }), {
      topics: ['block'],
      onEvent: (e) => {
        seen.push(e.topic === 'block' ? e.data.slot : -1);
        if (seen.length === 1) throw new Error('handler bug');
      },
      onStatus: (st) => statuses.push(st),
    });
    await waitFor(seen, 2);
    sub.close();
    await sub.closed;
    expect(seen).toEqual([5, 6]);
    expect(statuses).toContainEqual(
      expect.objectContaining({ type: 'invalid-event', field: '(handler)', reason: 'handler bug' }),
    );
  });

  it('reconnects after an idle stream (no bytes for idleTimeoutMs)', async () => {
    const s = await sseServer((n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: block\ndata: ${JSON.stringify({ slot: String(n), block: root(n) })}\n\n`);
      // then silence, connection kept open
    });
    const events: BeaconEvent[] = [];
    const statuses: EventStreamStatus[] = [];
    const sub = subscribeEvents(createBeaconNodeClient({ url: s.url }), {
      topics: ['block'],
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
      idleTimeoutMs: 100,
      reconnectDelayMs: 10,
    });
    await waitFor(events, 2);
    sub.close();
    await sub.closed;
    expect(statuses.find((x) => x.type === 'disconnected')).toMatchObject({ reason: 'idle for 100 ms' });
  });

  it('a pool moves the stream to another node when the current one drops', async () => {
    const a = await sseServer((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: block\ndata: ${JSON.stringify({ slot: '1', block: root(1) })}\n\n`);
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const b = await sseServer((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: block\ndata: ${JSON.stringify({ slot: '2', block: root(2) })}\n\n`);
    });
    const p = createBeaconNodePool({
      nodes: [
        createBeaconNodeClient({ url: a.url, label: 'a' }),
        createBeaconNodeClient({ url: b.url, label: 'b' }),
      ],
    });
    const statuses: EventStreamStatus[] = [];
    const events: BeaconEvent[] = [];
    const sub = p.subscribeEvents({
      topics: ['block'],
      onEvent: (e) => events.push(e),
      onStatus: (st) => statuses.push(st),
      reconnectDelayMs: 10,
    });
    await waitFor(events, 2);
    sub.close();
    await sub.closed;
    expect(statuses.filter((x) => x.type === 'connected').map((x) => x.node)).toEqual(['a', 'b']);
  });
});
