// A peer in the set that sends oversized, malformed and replayed frames (a raw libp2p node holding
// its key writes the bytes) is dropped and scored: its stats count each fault, its penalty rises,
// and past the limit it is disconnected and refused, while the honest peers carry on delivering.
import type { Libp2p, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Libp2pPeerStats, operatorAddressOf, PENALTY_POINTS, publicKeyOf } from '../src/index.ts';
import { encodeFrame } from '../src/p2p/frames.ts';
import {
  createNode,
  createRawNode,
  isConnected,
  openOperatorStream,
  operatorKey,
  peerInfoOf,
  type TestNode,
  text,
  waitUntil,
} from './helpers/p2p.ts';

const MAX_MESSAGE_BYTES = 1024;

describe('p2p network: a misbehaving peer', () => {
  let honest: TestNode[] = [];
  let target: TestNode;
  let raw: Libp2p;
  let stream: Stream;
  const badKey = operatorKey('misbehaving');
  const badAddress = operatorAddressOf(publicKeyOf(badKey));

  const badStats = (): Libp2pPeerStats => {
    const stats = target.network.stats().find((s) => s.address === badAddress);
    if (stats === undefined) throw new Error('no stats for the misbehaving peer');
    return stats;
  };
  const frame = (...messages: string[]) => encodeFrame(messages.map(text), MAX_MESSAGE_BYTES + 8).frame;

  beforeAll(async () => {
    // No fallback dial within the test: whoever dials the pair (target, bad) does so at once.
    const options = { maxMessageBytes: MAX_MESSAGE_BYTES, banMs: 60_000, fallbackDialDelayMs: 60_000 };
    target = createNode(operatorKey('target'), options);
    honest = [createNode(operatorKey('honest 1'), options), createNode(operatorKey('honest 2'), options)];
    raw = await createRawNode(badKey);
    const all = [target, ...honest];
    await Promise.all(all.map((n) => n.network.start()));
    const badInfo = {
      address: badAddress,
      publicKey: publicKeyOf(badKey),
      multiaddrs: raw.getMultiaddrs().map((ma) => ma.toString()),
    };
    for (const n of all) n.network.setPeers([...all.filter((o) => o !== n).map(peerInfoOf), badInfo]);
    await waitUntil(() => target.network.connectedPeers().length >= 2, 'the honest peers to connect');
    if (target.network.address < badAddress) {
      // The dialler sees the connection open before the listener's side of the upgrade completes.
      await waitUntil(() => isConnected(raw, target), 'the target to dial the raw node');
    }
    stream = await openOperatorStream(raw, target);
  });

  afterAll(async () => {
    await Promise.all([target.network.stop(), ...honest.map((n) => n.network.stop()), raw.stop()]);
  });

  it('delivers a well-formed frame from it', async () => {
    stream.send(frame('first'));
    await waitUntil(() => target.inbox.length === 1, 'the first message');
    expect(target.inbox[0]).toEqual({ from: badAddress, text: 'first' });
  });

  it('skips an oversized frame without reading it whole, and stays in step with the stream', async () => {
    // The length prefix says 8 KiB, over the 1 KiB cap: those bytes are skipped as they come.
    const huge = new Uint8Array(8 * 1024).fill(7);
    stream.send(lp.encode.single(huge));
    stream.send(frame('after the oversized frame'));
    await waitUntil(() => target.inbox.length === 2, 'the frame after the oversized one');
    expect(target.inbox[1]?.text).toBe('after the oversized frame');
    expect(badStats().dropped).toEqual({ oversized: 1 });
    expect(badStats().penalty).toBeCloseTo(PENALTY_POINTS.oversized, 0);
  });

  it('drops a garbage frame as malformed and a repeated message as replayed', async () => {
    stream.send(lp.encode.single(new Uint8Array([0xff, 0xff, 0xff, 0xff, 1, 2, 3])));
    stream.send(frame('once'));
    stream.send(frame('once'));
    stream.send(frame('marker'));
    await waitUntil(() => target.inbox.some((m) => m.text === 'marker'), 'the marker message');
    expect(target.inbox.filter((m) => m.text === 'once')).toHaveLength(1);
    expect(badStats().dropped).toEqual({ oversized: 1, malformed: 1, replayed: 1 });
    const expected = PENALTY_POINTS.oversized + PENALTY_POINTS.malformed + PENALTY_POINTS.replayed;
    expect(badStats().penalty).toBeGreaterThan(expected - 1);
    expect(badStats().penalty).toBeLessThanOrEqual(expected);
    expect(badStats().connected).toBe(true);
  });

  it('while the honest peers carry on delivering', async () => {
    const before = target.inbox.length;
    for (const n of honest) n.network.send(target.network.address, text(`hello from ${n.network.address}`));
    await waitUntil(() => target.inbox.length === before + 2, 'both honest messages');
  });

  it('resets the stream of a frame declared far over the cap; a new stream works', async () => {
    const closed = new Promise((resolve) => stream.addEventListener('close', resolve, { once: true }));
    stream.send(lp.encode.single(new Uint8Array(1024 * 1024)));
    await closed;
    expect(badStats().dropped.oversized).toBe(2);
    stream = await openOperatorStream(raw, target);
    stream.send(frame('on a new stream'));
    await waitUntil(
      () => target.inbox.some((m) => m.text === 'on a new stream'),
      'the message on the new stream',
    );
  });

  it('bans it past the penalty limit: disconnected, refused, nothing more delivered', async () => {
    const delivered = target.inbox.length;
    // 65 points so far (less decay); three more malformed frames pass the limit of 100.
    for (let i = 0; i < 3; i++) stream.send(lp.encode.single(new Uint8Array([0, 0, 0, 9])));
    stream.send(frame('after the ban'));
    await waitUntil(() => badStats().bannedUntilMs !== undefined, 'the ban');
    await waitUntil(() => !target.network.connectedPeers().includes(badAddress), 'the disconnection');
    expect(badStats().dropped.malformed).toBeGreaterThanOrEqual(3);
    expect(target.inbox.length).toBe(delivered);
    // Refused while banned, although its key is in the set.
    await expect(openOperatorStream(raw, target)).rejects.toThrow();
    for (const n of honest) n.network.send(target.network.address, text(`still here ${n.network.address}`));
    await waitUntil(() => target.inbox.length === delivered + 2, 'the honest peers after the ban');
    expect(target.inbox.slice(delivered).every((m) => m.from !== badAddress)).toBe(true);
  });
});
