// Peers' clock offsets measured over real libp2p on loopback: three nodes whose clocks are set
// apart, each measuring the others; forged and malformed TIME frames are refused and scored.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../src/clock.ts';
import { createSystemClock, PeerClockOffsets } from '../src/index.ts';
import { decodeTimeFrame, encodeTimeFrame } from '../src/runtime/clock-offsets.ts';
import { startMesh, type TestNode, waitUntil } from './helpers/p2p.ts';

function shiftedClock(byMs: number): Clock {
  const system = createSystemClock();
  return { nowMs: () => system.nowMs() + byMs, waitUntil: (t, s) => system.waitUntil(t - byMs, s) };
}

let nodes: TestNode[] = [];
let probes: PeerClockOffsets[] = [];
afterEach(async () => {
  for (const p of probes) p.stop();
  await Promise.all(nodes.map((n) => n.network.stop()));
  nodes = [];
  probes = [];
});

describe('PeerClockOffsets', () => {
  it('measures each peer to within half the round trip, over libp2p', async () => {
    nodes = await startMesh(3);
    const shifts = [0, 1_500, -700];
    probes = nodes.map(
      (n, i) =>
        new PeerClockOffsets({ network: n.network, clock: shiftedClock(shifts[i]!) }, { intervalMs: 60_000 }),
    );
    await waitUntil(() => nodes.every((n) => n.network.connectedPeers().length === 2), 'the mesh');
    for (const p of probes) p.start();
    await waitUntil(() => probes.every((p) => p.offsets().size === 2), 'a sample of every peer');
    for (const [i, p] of probes.entries()) {
      for (const [j, n] of nodes.entries()) {
        if (i === j) continue;
        const sample = p.offsets().get(n.network.address);
        const truth = shifts[j]! - shifts[i]!;
        expect(sample, `node ${i} of node ${j}`).toBeDefined();
        // NTP's bound, plus a millisecond for each clock read in whole milliseconds
        expect(Math.abs(sample!.offsetMs - truth)).toBeLessThanOrEqual(sample!.rttMs / 2 + 2);
      }
    }
    const a = probes[0]!;
    expect(a.medianOffsetMs(nodes.slice(1).map((n) => n.network.address))).toBeCloseTo((1_500 - 700) / 2, -2);
    expect(a.medianOffsetMs([])).toBeUndefined();
  });

  it('ignores a response to no request and scores a malformed frame', async () => {
    nodes = await startMesh(2);
    const [a, b] = nodes as [TestNode, TestNode];
    probes = [
      new PeerClockOffsets({ network: a.network, clock: createSystemClock() }, { intervalMs: 60_000 }),
    ];
    probes[0]!.start();
    probes[0]!.stop(); // answer and check, but send no requests of its own
    await waitUntil(() => a.network.connectedPeers().length === 1, 'the connection');
    const before = a.network.stats().find((s) => s.address === b.network.address)!.penalty;
    b.network.send(
      a.network.address,
      encodeTimeFrame({ type: 'response', nonce: 42n, t0: Date.now(), t1: Date.now(), t2: Date.now() }),
    );
    const malformed = encodeTimeFrame({ type: 'request', nonce: 1n, t0: 0, t1: 0, t2: 0 });
    malformed[1] = 7;
    b.network.send(a.network.address, malformed);
    await waitUntil(
      () => a.network.stats().find((s) => s.address === b.network.address)!.penalty >= before + 15,
      'the malformed frame scored',
    );
    // the response came first and was dropped without a score (an unexpected one would add 5)
    expect(a.network.stats().find((s) => s.address === b.network.address)!.penalty).toBeLessThan(before + 25);
    expect(probes[0]!.offsets().size).toBe(0);
  });

  it('decodes only well-formed TIME frames', () => {
    const frame = { type: 'response' as const, nonce: 2n ** 63n + 5n, t0: 1.5, t1: 2, t2: 3 };
    expect(decodeTimeFrame(encodeTimeFrame(frame))).toEqual(frame);
    const bytes = encodeTimeFrame(frame);
    expect(decodeTimeFrame(bytes.subarray(0, 33))).toBeUndefined();
    const nan = bytes.slice();
    new DataView(nan.buffer).setFloat64(10, Number.NaN);
    expect(decodeTimeFrame(nan)).toBeUndefined();
  });
});
