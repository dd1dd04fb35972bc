// Fault injection: `isolate(ms)` cuts a node off from every peer (a partition of that node) for that
// long, over real libp2p on loopback. While isolated nothing passes either way, though both sides
// keep sending; afterwards the links come back by themselves and new messages flow again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullyConnected, startMesh, type TestNode, text, waitUntil } from './helpers/p2p.ts';

describe('p2p network: isolation (fault injection)', () => {
  let nodes: TestNode[] = [];

  beforeAll(async () => {
    nodes = await startMesh(3);
    await waitUntil(() => fullyConnected(nodes), 'a full mesh of 3');
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.network.stop()));
  });

  it('refuses every peer both ways for its duration, then reconnects', async () => {
    const [a, b, c] = nodes as [TestNode, TestNode, TestNode];
    const isolatedAt = Date.now();
    a.network.isolate(2_000);
    await waitUntil(() => a.network.connectedPeers().length === 0, 'a disconnected from everyone');
    // b and c still talk to each other, not to a
    b.network.send(a.network.address, text('b->a while isolated'));
    a.network.send(c.network.address, text('a->c while isolated'));
    b.network.send(c.network.address, text('b->c while a is isolated'));
    await waitUntil(() => c.inbox.some((m) => m.text === 'b->c while a is isolated'), 'b->c delivered');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(a.network.connectedPeers()).toEqual([]);
    expect(a.inbox.map((m) => m.text)).not.toContain('b->a while isolated');
    expect(c.inbox.map((m) => m.text)).not.toContain('a->c while isolated');

    await waitUntil(() => fullyConnected(nodes), 'the mesh back', 15_000);
    expect(Date.now() - isolatedAt).toBeGreaterThanOrEqual(2_000);
    a.network.send(b.network.address, text('a->b after'));
    b.network.send(a.network.address, text('b->a after'));
    await waitUntil(
      () => b.inbox.some((m) => m.text === 'a->b after') && a.inbox.some((m) => m.text === 'b->a after'),
      'messages after the isolation',
    );
  }, 30_000);
});
