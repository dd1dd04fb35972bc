// Sixteen operator networks over loopback: they all connect, and every node's message reaches
// every other node once, from the right address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullyConnected, startMesh, type TestNode, text, waitUntil } from './helpers/p2p.ts';

const COUNT = 16;

describe('p2p network: a committee of 16 over loopback', () => {
  let nodes: TestNode[] = [];

  beforeAll(async () => {
    nodes = await startMesh(COUNT);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.network.stop()));
  });

  it('connects every node to every other node', async () => {
    await waitUntil(() => fullyConnected(nodes), 'a full mesh of 16', 60_000);
    for (const node of nodes) {
      const others = nodes.filter((n) => n !== node).map((n) => n.network.address);
      expect([...node.network.connectedPeers()].sort()).toEqual(others.sort());
    }
  });

  it('delivers each message once, from its sender, to the node it was sent to', async () => {
    for (const sender of nodes) {
      for (const receiver of nodes) {
        if (receiver === sender) continue;
        sender.network.send(
          receiver.network.address,
          text(`${sender.network.address}->${receiver.network.address}`),
        );
      }
    }
    const expected = COUNT - 1;
    await waitUntil(() => nodes.every((n) => n.inbox.length >= expected), 'every message delivered');
    for (const receiver of nodes) {
      const others = nodes.filter((n) => n !== receiver).map((n) => n.network.address);
      expect(receiver.inbox.map((m) => m.from).sort()).toEqual(others.sort());
      for (const m of receiver.inbox) expect(m.text).toBe(`${m.from}->${receiver.network.address}`);
    }
  });
});
