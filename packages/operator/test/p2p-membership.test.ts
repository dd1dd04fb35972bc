// The peer set changes at run time and nodes restart: removing a peer disconnects it, adding it
// back connects it (and delivers what waited in the queue), and a node stopped and restarted on
// the same port is found again whichever side of the pair dials.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNode,
  operatorKey,
  peerInfoOf,
  startMesh,
  type TestNode,
  text,
  waitUntil,
} from './helpers/p2p.ts';

const running: TestNode[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((n) => n.network.stop()));
});

function connectedPair(a: TestNode, b: TestNode): boolean {
  return (
    a.network.connectedPeers().includes(b.network.address) &&
    b.network.connectedPeers().includes(a.network.address)
  );
}

describe('p2p network: changing the peer set', () => {
  it('disconnects a removed peer, refuses it, and connects it again once it is added back', async () => {
    const nodes = await startMesh(3);
    running.push(...nodes);
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    await waitUntil(() => connectedPair(a, b) && connectedPair(a, c) && connectedPair(b, c), 'the mesh of 3');

    a.network.setPeers([peerInfoOf(b)]);
    await waitUntil(() => !c.network.connectedPeers().includes(a.network.address), 'c to lose a');
    expect(a.network.connectedPeers()).toEqual([b.network.address]);
    expect(a.network.stats().map((s) => s.address)).toEqual([b.network.address]);
    // c still lists a and keeps its message queued while a refuses it.
    c.network.send(a.network.address, text('queued while refused'));
    expect(c.network.stats().find((s) => s.address === a.network.address)?.queued).toBe(1);
    expect(connectedPair(b, c)).toBe(true);

    a.network.setPeers([peerInfoOf(b), peerInfoOf(c)]);
    await waitUntil(() => connectedPair(a, c), 'a and c to connect again');
    await waitUntil(() => a.inbox.length === 1, 'the queued message');
    expect(a.inbox).toEqual([{ from: c.network.address, text: 'queued while refused' }]);
  });

  it('rejects an entry whose address is not its public key', async () => {
    const [a, b] = [createNode(operatorKey('set a')), createNode(operatorKey('set b'))];
    const wrong = { ...peerInfoOf(b), address: a.network.address };
    expect(() => a.network.setPeers([peerInfoOf(b), wrong])).toThrow(
      expect.objectContaining({
        code: 'INVALID_PEER',
        details: expect.objectContaining({ index: 1, field: 'address' }),
      }),
    );
  });
});

describe('p2p network: restarts', () => {
  // Of a pair the lower address dials: restarting it tests the dial at start, restarting the other
  // tests the survivor's redial.
  for (const restarted of ['the dialling side', 'the listening side'] as const) {
    it(`reconnects to ${restarted} restarted on the same port and delivers again`, async () => {
      const nodes = await startMesh(2);
      running.push(...nodes);
      const sorted = [...nodes].sort((x, y) => (x.network.address < y.network.address ? -1 : 1));
      const [gone, survivor] = (restarted === 'the dialling side' ? sorted : [...sorted].reverse()) as [
        TestNode,
        TestNode,
      ];
      await waitUntil(() => connectedPair(gone, survivor), 'the pair to connect');

      const listen = gone.network.listenAddresses()[0]?.replace(/\/p2p\/.*$/, '');
      if (listen === undefined) throw new Error('no listen address');
      await gone.network.stop();
      running.splice(running.indexOf(gone), 1);
      await waitUntil(() => survivor.network.connectedPeers().length === 0, 'the survivor to notice');
      survivor.network.send(gone.network.address, text('sent while you were away'));

      const back = createNode(gone.key, { listen: [listen] });
      running.push(back);
      back.network.setPeers([peerInfoOf(survivor)]);
      await back.network.start();
      expect(back.network.listenAddresses()[0]).toBe(`${listen}/p2p/${gone.network.peerId}`);
      await waitUntil(() => connectedPair(back, survivor), 'the restarted node to reconnect');
      back.network.send(survivor.network.address, text('back again'));
      await waitUntil(() => back.inbox.length === 1 && survivor.inbox.length === 1, 'delivery both ways');
      expect(back.inbox).toEqual([{ from: survivor.network.address, text: 'sent while you were away' }]);
      expect(survivor.inbox).toEqual([{ from: back.network.address, text: 'back again' }]);
    });
  }

  it('fails to start on a port in use, naming the addresses, and refuses a second start', async () => {
    const first = createNode(operatorKey('port owner'));
    running.push(first);
    await first.network.start();
    await expect(first.network.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    const listen = first.network.listenAddresses()[0]?.replace(/\/p2p\/.*$/, '') ?? '';
    const second = createNode(operatorKey('port squatter'), { listen: [listen] });
    await expect(second.network.start()).rejects.toMatchObject({
      code: 'P2P_START_FAILED',
      details: { code: 'P2P_START_FAILED', listen: [listen] },
    });
    expect(second.network.listenAddresses()).toEqual([]);
  });
});
