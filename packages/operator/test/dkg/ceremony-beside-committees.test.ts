// A DKG ceremony inside a running node: the node's network already has its committee peers (owner
// 'committees'); the ceremony adds its operators as its own owner ('dkg'), so the committee peer, who
// is not in the ceremony, stays connected through it and after it, and removing the ceremony's set
// drops only the ceremony's operators.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LogFields, type Logger, publicKeyOf, runDkgCeremony } from '../../src/index.ts';
import { createNode, operatorKey, peerInfoOf, type TestNode, text, waitUntil } from '../helpers/p2p.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-dkg-beside-'));
const running: TestNode[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.network.stop()));
  rmSync(root, { recursive: true, force: true });
});
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

describe('runDkgCeremony beside a node’s committee peers', () => {
  it('keeps the committee peer connected; the ceremony’s set is removed on its own', async () => {
    const left: LogFields[] = [];
    const record = (message: string, fields?: LogFields) => {
      if ((message === 'p2p peer disconnected' || message === 'p2p peer removed') && fields)
        left.push(fields);
    };
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const a = createNode(operatorKey('beside a'), { logger });
    const [b, c, x] = ['b', 'c', 'x'].map((l) => createNode(operatorKey(`beside ${l}`)));
    const ceremonyNodes = [a, b!, c!];
    running.push(a, b!, c!, x!);
    await Promise.all(running.map((n) => n.network.start()));
    // x shares a committee with a (and is in no ceremony).
    a.network.setPeers([peerInfoOf(x!)], { owner: 'committees' });
    x!.network.setPeers([peerInfoOf(a)]);
    await waitUntil(() => a.network.connectedPeers().includes(x!.network.address), 'a and x to connect');

    const ceremony = JSON.stringify({
      version: 1,
      operators: ceremonyNodes.map((n) => ({
        address: n.network.address,
        p2pPublicKey: hex(publicKeyOf(n.key)),
        multiaddrs: n.network.listenAddresses(),
      })),
      threshold: 2,
      validators: 1,
      withdrawalCredentials: `0x01${'00'.repeat(11)}${'ab'.repeat(20)}`,
      forkVersion: '0x00001020',
    });
    const results = await Promise.all(
      ceremonyNodes.map((node, i) =>
        runDkgCeremony({
          identityKey: node.key,
          ceremony,
          network: node.network,
          outDir: join(root, `out-${i}`),
          password: `share password ${i}`,
          kdf: 'fast',
          phaseTimeoutMs: 20_000,
          lingerMs: 200,
        }),
      ),
    );
    expect(results.map((r) => hex(r.groupPublicKeys[0]!))).toEqual(
      results.map(() => hex(results[0]!.groupPublicKeys[0]!)),
    );
    // x was never dropped, and the ceremony's operators are still listed (for the caller to remove).
    expect(left.filter((f) => f.peer === x!.network.address)).toEqual([]);
    expect(a.network.connectedPeers()).toContain(x!.network.address);
    expect(
      a.network
        .stats()
        .map((s) => s.address)
        .sort(),
    ).toEqual([b!.network.address, c!.network.address, x!.network.address].sort());

    a.network.setPeers([], { owner: 'dkg' });
    expect(a.network.stats().map((s) => s.address)).toEqual([x!.network.address]);
    x!.network.send(a.network.address, text('still here'));
    await waitUntil(() => a.inbox.some((m) => m.text === 'still here'), 'x’s message after the ceremony');
    expect(left.filter((f) => f.peer === x!.network.address)).toEqual([]);
  });
});
