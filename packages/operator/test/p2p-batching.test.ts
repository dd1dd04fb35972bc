// Sending: messages queued in one tick leave together, in order, in few frames; a handler that
// throws (or rejects) costs nothing to the other handlers or the network; a message over the limit
// is refused at `send`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOperatorError, PENALTY_POINTS } from '../src/index.ts';
import { createNode, peerInfoOf, startMesh, type TestNode, text, waitUntil } from './helpers/p2p.ts';

describe('p2p network: batching and handlers', () => {
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    [a, b] = (await startMesh(2, { maxMessageBytes: 64 * 1024, tickMs: 5 })) as [TestNode, TestNode];
    await waitUntil(
      () => a.network.stats()[0]?.connected === true && b.network.stats()[0]?.connected === true,
      'the pair to connect',
    );
    // Connected is not yet "stream open": one message each way proves both send streams work.
    a.network.send(b.network.address, text('warm-up'));
    b.network.send(a.network.address, text('warm-up'));
    await waitUntil(() => a.inbox.length === 1 && b.inbox.length === 1, 'the warm-up messages');
  });

  afterAll(async () => {
    await Promise.all([a.network.stop(), b.network.stop()]);
  });

  it('sends 1,000 messages queued in one tick in order, in a handful of frames', async () => {
    const before = b.network.stats()[0]?.framesReceived ?? 0;
    const count = 1000;
    for (let i = 0; i < count; i++) a.network.send(b.network.address, text(`message ${i}`));
    await waitUntil(() => b.inbox.length === 1 + count, 'every message');
    expect(b.inbox.slice(1).map((m) => m.text)).toEqual(
      Array.from({ length: count }, (_, i) => `message ${i}`),
    );
    const frames = (b.network.stats()[0]?.framesReceived ?? 0) - before;
    // ~14 KB of messages fit one 64 KiB frame.
    expect(frames).toBe(1);
    expect(a.network.stats()[0]).toMatchObject({ sent: 1 + count, framesSent: 2, queued: 0 });
  });

  it('splits a batch larger than a frame into several, still in order', async () => {
    const before = b.network.stats()[0]?.framesReceived ?? 0;
    const big = (i: number) => text(`${i}:`.padEnd(30 * 1024, 'x'));
    for (let i = 0; i < 5; i++) a.network.send(b.network.address, big(i));
    await waitUntil(() => b.inbox.length === 1006, 'the big messages');
    expect(b.inbox.slice(1001).map((m) => m.text.split(':')[0])).toEqual(['0', '1', '2', '3', '4']);
    // Two 30 KiB messages per 64 KiB frame.
    expect((b.network.stats()[0]?.framesReceived ?? 0) - before).toBe(3);
  });

  it('keeps delivering to the other handlers when one throws or rejects, and counts it', async () => {
    const seen: string[] = [];
    b.network.onMessage(() => {
      throw new Error('handler bug');
    });
    b.network.onMessage(async () => {
      throw new Error('async handler bug');
    });
    b.network.onMessage((_, message) => seen.push(new TextDecoder().decode(message)));
    a.network.send(b.network.address, text('after the faulty handlers'));
    a.network.send(b.network.address, text('and another'));
    await waitUntil(() => seen.length === 2, 'the healthy handler');
    expect(seen).toEqual(['after the faulty handlers', 'and another']);
    await waitUntil(() => b.network.stats()[0]?.handlerErrors === 4, 'the async rejections to be counted');
    // A handler's bug is not the peer's fault.
    expect(b.network.stats()[0]?.penalty).toBe(0);
  });

  it('refuses at send a message over the limit, naming the peer and sizes', () => {
    let error: unknown;
    try {
      a.network.send(b.network.address, new Uint8Array(64 * 1024 + 1));
    } catch (e) {
      error = e;
    }
    expect(isOperatorError(error, 'P2P_MESSAGE_TOO_LARGE')).toBe(true);
    expect(isOperatorError(error) && error.details).toEqual({
      code: 'P2P_MESSAGE_TOO_LARGE',
      to: b.network.address,
      bytes: 64 * 1024 + 1,
      maxBytes: 64 * 1024,
    });
  });

  it('drops the oldest message for a peer that stays away once the queue is full', () => {
    // Not started: nothing leaves, everything queues.
    const lonely = createNode(a.key, { maxQueuedMessages: 2, peers: [peerInfoOf(b)] });
    for (const t of ['one', 'two', 'three']) lonely.network.send(b.network.address, text(t));
    expect(lonely.network.stats()[0]).toMatchObject({ queued: 2, dropped: { 'queue-full': 1 } });
  });

  it('counts and scores what the runtime reports about a peer', () => {
    b.network.report(a.network.address, 'invalid');
    b.network.report(a.network.address, 'unexpected');
    const stats = b.network.stats()[0];
    expect(stats?.dropped).toMatchObject({ invalid: 1, unexpected: 1 });
    expect(stats?.penalty).toBeGreaterThan(PENALTY_POINTS.invalid + PENALTY_POINTS.unexpected - 1);
    expect(stats?.connected).toBe(true);
  });
});
