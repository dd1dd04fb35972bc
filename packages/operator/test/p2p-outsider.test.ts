// Who may connect: only the operators in the peer set, and each identity once. An outsider (a valid
// libp2p node whose key is not in the set) and a second process holding a connected operator's key
// are refused after the Noise handshake, and nothing they send is delivered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../src/index.ts';
import {
  createNode,
  createRawNode,
  openOperatorStream,
  operatorKey,
  peerInfoOf,
  startMesh,
  type TestNode,
  text,
  waitUntil,
} from './helpers/p2p.ts';

describe('p2p network: the connection gater', () => {
  let members: TestNode[] = [];
  const stops: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    members = await startMesh(2);
    await waitUntil(
      () => members.every((m) => m.network.connectedPeers().length === 1),
      'the members to connect',
    );
  });

  afterAll(async () => {
    await Promise.all([...members.map((m) => m.network.stop()), ...stops.map((stop) => stop())]);
  });

  it('refuses a raw libp2p node whose key is not in the set', async () => {
    const [a] = members as [TestNode, TestNode];
    const raw = await createRawNode(operatorKey('outsider raw'));
    stops.push(() => raw.stop());
    await expect(openOperatorStream(raw, a)).rejects.toThrow();
    expect(raw.getConnections()).toHaveLength(0);
    expect(a.network.connectedPeers()).toHaveLength(1);
  });

  it('never delivers what an outsider operator network sends', async () => {
    const [a] = members as [TestNode, TestNode];
    // Each attempt ends in a failed dial or, when the dial completed before the gater's verdict
    // reached us, in a disconnection.
    const failures: LogFields[] = [];
    const record = (message: string, fields?: LogFields) => {
      if ((message === 'p2p dial failed' || message === 'p2p peer disconnected') && fields !== undefined) {
        failures.push(fields);
      }
    };
    const logger: Logger = {
      debug: record,
      info: record,
      warn: () => {},
      error: () => {},
    };
    // The outsider knows a member and dials it at once (no fallback delay, whatever the order of
    // the addresses), and queues a message for it.
    const outsider = createNode(operatorKey('outsider network'), { logger, fallbackDialDelayMs: 0 });
    stops.push(() => outsider.network.stop());
    await outsider.network.start();
    outsider.network.setPeers([peerInfoOf(a)]);
    outsider.network.send(a.network.address, text('let me in'));
    await waitUntil(() => failures.length >= 2, 'two refused attempts');
    expect(failures.every((f) => f.peer === a.network.address)).toBe(true);
    expect(outsider.network.connectedPeers()).toEqual([]);
    expect(outsider.network.stats()[0]).toMatchObject({ connected: false, sent: 0, queued: 1 });
    expect(a.network.connectedPeers()).not.toContain(outsider.network.address);
    expect(a.inbox).toEqual([]);
  });

  it('refuses a second connection of an identity already connected, and keeps the first', async () => {
    const [a, b] = members as [TestNode, TestNode];
    // Another process with b's key: its Noise handshake succeeds (it holds the key) but a already
    // has b connected, so a share index cannot run twice.
    const copy = await createRawNode(b.key);
    stops.push(() => copy.stop());
    await expect(openOperatorStream(copy, a)).rejects.toThrow();
    expect(a.network.connectedPeers()).toEqual([b.network.address]);
    b.network.send(a.network.address, text('still here'));
    await waitUntil(() => a.inbox.length === 1, 'the first connection to carry on');
    expect(a.inbox).toEqual([{ from: b.network.address, text: 'still here' }]);
  });
});
