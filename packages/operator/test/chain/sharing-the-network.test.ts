// The lifecycle shares one operator network between ceremonies and its statements: a handler can be
// removed (each ceremony removes its own), and a ceremony leaves frames of other kinds alone instead
// of scoring their sender as malformed. Statements encode and decode; anything else decodes to nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeStatement, encodeStatement, FRAME_CHAIN, type Statement } from '../../src/chain/statements.ts';
import { publicKeyOf, runDkgCeremony } from '../../src/index.ts';
import { createNode, operatorKey, startMesh, waitUntil } from '../helpers/p2p.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-chain-network-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

describe('statements', () => {
  it('round-trip approvals and failures; other bytes decode to nothing', () => {
    const approval: Statement = {
      kind: 'approval',
      drawId: 7n,
      ceremonyId: `0x${'ab'.repeat(32)}`,
      signature: `0x${'cd'.repeat(65)}`,
      blockerShareIndex: 0,
    };
    const failure: Statement = { ...approval, kind: 'failure', blockerShareIndex: 3 };
    for (const s of [approval, failure]) {
      const bytes = encodeStatement(s, new Uint8Array(8).fill(1));
      expect(decodeStatement(bytes)).toEqual(s);
      expect(decodeStatement(bytes.subarray(0, bytes.length - 1))).toBeUndefined();
    }
    expect(decodeStatement(Uint8Array.of(FRAME_CHAIN, 9, ...new Uint8Array(137)))).toBeUndefined();
    expect(decodeStatement(Uint8Array.of(0x10, 1, 2))).toBeUndefined();
  });
});

describe('one network, several users', () => {
  it('a removed handler gets no further messages; the others still do', async () => {
    const [a, b] = await startMesh(2);
    try {
      const removed: string[] = [];
      const unsubscribe = b!.network.onMessage((_, m) => removed.push(new TextDecoder().decode(m)));
      a!.network.send(b!.network.address, new TextEncoder().encode('first'));
      await waitUntil(() => b!.inbox.length === 1, 'the first message');
      unsubscribe();
      a!.network.send(b!.network.address, new TextEncoder().encode('second'));
      await waitUntil(() => b!.inbox.length === 2, 'the second message');
      expect(removed).toEqual(['first']);
      expect(b!.inbox.map((m) => m.text)).toEqual(['first', 'second']);
    } finally {
      await Promise.all([a!.network.stop(), b!.network.stop()]);
    }
  });

  it('a ceremony ignores frames of other kinds: nobody is scored for them', async () => {
    const nodes = ['w', 'x', 'y', 'z'].map((l) => createNode(operatorKey(`sharing ${l}`)));
    await Promise.all(nodes.map((n) => n.network.start()));
    const ceremony = JSON.stringify({
      version: 1,
      operators: nodes.map((n) => ({
        address: n.network.address,
        p2pPublicKey: hex(publicKeyOf(n.key)),
        multiaddrs: n.network.listenAddresses(),
      })),
      threshold: 3,
      validators: 1,
      withdrawalCredentials: `0x01${'00'.repeat(11)}${'ab'.repeat(20)}`,
      forkVersion: '0x00001020',
    });
    // Every member sends the others a statement frame while the ceremony runs.
    const chatter = setInterval(() => {
      for (const from of nodes)
        for (const to of nodes)
          if (from !== to)
            from.network.send(
              to.network.address,
              Uint8Array.of(FRAME_CHAIN, 1, ...crypto.getRandomValues(new Uint8Array(16))),
            );
    }, 50);
    try {
      const results = await Promise.all(
        nodes.map((node, i) =>
          runDkgCeremony({
            identityKey: node.key,
            ceremony,
            network: node.network,
            outDir: join(root, `out-${i}`),
            password: 'pw',
            kdf: 'fast',
            lingerMs: 200,
          }),
        ),
      );
      expect(new Set(results.map((r) => hex(r.groupPublicKeys[0]!))).size).toBe(1);
      for (const node of nodes) {
        for (const peer of node.network.stats()) {
          expect(peer.dropped.malformed ?? 0).toBe(0);
          expect(peer.penalty).toBe(0);
        }
      }
    } finally {
      clearInterval(chatter);
      await Promise.all(nodes.map((n) => n.network.stop()));
    }
  });
});
