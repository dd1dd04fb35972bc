// The peer set is the union of the sets its owners give `setPeers` (a running node's committee
// peers, a DKG ceremony's operators, the chain lifecycle's committees): adding one owner's set keeps
// the others' peers connected, removing it drops only the peers no other owner lists, and an
// operator no owner lists is still refused.
import { afterEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../src/index.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, text, waitUntil } from './helpers/p2p.ts';

const running: TestNode[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.network.stop()));
});

/** A logger that keeps what happened to each peer (connected, disconnected, removed). */
function peerEvents(): { logger: Logger; events: { message: string; peer: unknown }[] } {
  const events: { message: string; peer: unknown }[] = [];
  const record = (message: string, fields?: LogFields) => {
    if (message.startsWith('p2p peer ') || message === 'p2p dial failed')
      events.push({ message, peer: fields?.peer });
  };
  return { logger: { debug: record, info: record, warn: record, error: record }, events };
}

const connected = (x: TestNode, y: TestNode) =>
  x.network.connectedPeers().includes(y.network.address) &&
  y.network.connectedPeers().includes(x.network.address);

describe('p2p network: peer sets with owners', () => {
  it('adds and removes one owner’s peers without touching the others’', async () => {
    const { logger, events } = peerEvents();
    const a = createNode(operatorKey('owners a'), { logger });
    const b = createNode(operatorKey('owners b'));
    const c = createNode(operatorKey('owners c'));
    const tries = peerEvents();
    const outsider = createNode(operatorKey('owners outsider'), {
      fallbackDialDelayMs: 0,
      logger: tries.logger,
    });
    running.push(a, b, c, outsider);
    await Promise.all(running.map((n) => n.network.start()));
    // b and c would talk to a whatever a's owners say; the outsider tries too.
    b.network.setPeers([peerInfoOf(a), peerInfoOf(c)]);
    c.network.setPeers([peerInfoOf(a), peerInfoOf(b)]);
    outsider.network.setPeers([peerInfoOf(a)]);

    // A running node's committee: b only.
    a.network.setPeers([peerInfoOf(b)], { owner: 'committees' });
    await waitUntil(() => connected(a, b), 'a and b to connect');
    expect(a.network.connectedPeers()).toEqual([b.network.address]);

    // A ceremony with b and c: c joins, b's connection stays.
    a.network.setPeers([peerInfoOf(b), peerInfoOf(c)], { owner: 'dkg' });
    await waitUntil(() => connected(a, c), 'a and c to connect');
    c.network.send(a.network.address, text('dealing'));
    await waitUntil(() => a.inbox.length === 1, 'the ceremony message');
    expect(a.inbox).toEqual([{ from: c.network.address, text: 'dealing' }]);
    const bLeft = () =>
      events.filter(
        (e) =>
          e.peer === b.network.address &&
          (e.message === 'p2p peer disconnected' || e.message === 'p2p peer removed'),
      );
    expect(bLeft()).toEqual([]);

    // The ceremony ends: c, listed by no other owner, is dropped; b stays.
    a.network.setPeers([], { owner: 'dkg' });
    await waitUntil(() => !c.network.connectedPeers().includes(a.network.address), 'c to lose a');
    expect(a.network.connectedPeers()).toEqual([b.network.address]);
    expect(a.network.stats().map((s) => s.address)).toEqual([b.network.address]);
    expect(connected(a, b)).toBe(true);
    expect(bLeft()).toEqual([]);

    // The other way round: the committee set empties while a ceremony lists b.
    a.network.setPeers([peerInfoOf(b)], { owner: 'dkg' });
    a.network.setPeers([], { owner: 'committees' });
    expect(connected(a, b)).toBe(true);
    expect(bLeft()).toEqual([]);

    // The outsider was never let in, under any owner's set (it kept trying).
    await waitUntil(
      () =>
        tries.events.filter((e) => e.message === 'p2p dial failed' || e.message === 'p2p peer disconnected')
          .length >= 2,
      'two refused attempts of the outsider',
    );
    expect(a.network.connectedPeers()).not.toContain(outsider.network.address);
    expect(outsider.network.connectedPeers()).toEqual([]);
    expect(events.some((e) => e.peer === outsider.network.address)).toBe(false);

    // No owner left: b goes too.
    a.network.setPeers([], { owner: 'dkg' });
    await waitUntil(() => !b.network.connectedPeers().includes(a.network.address), 'b to lose a');
    expect(a.network.connectedPeers()).toEqual([]);
  });

  it('keeps the default owner for callers that name none, and a bad list changes nothing', async () => {
    const a = createNode(operatorKey('owners default a'));
    const b = createNode(operatorKey('owners default b'));
    const c = createNode(operatorKey('owners default c'));
    running.push(a, b, c);
    await Promise.all(running.map((n) => n.network.start()));
    a.network.setPeers([peerInfoOf(b)]);
    a.network.setPeers([peerInfoOf(c)], { owner: 'dkg' });
    expect(a.network.stats().map((s) => s.address)).toEqual([b.network.address, c.network.address]);
    // Without an owner the call replaces the default owner's set only.
    a.network.setPeers([]);
    expect(a.network.stats().map((s) => s.address)).toEqual([c.network.address]);
    const wrong = { ...peerInfoOf(b), address: c.network.address };
    expect(() => a.network.setPeers([wrong], { owner: 'dkg' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PEER' }),
    );
    expect(a.network.stats().map((s) => s.address)).toEqual([c.network.address]);
  });
});
