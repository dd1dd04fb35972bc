// runReshareCeremony over real libp2p on loopback, in one process: two validators held 3-of-4 by
// operators a, b, c, d move to a, b, c, e (d replaced). The new shares sign and combine to signatures
// that verify under the unchanged group keys, old and new shares do not mix, every participant writes
// the same cluster file, and d keeps nothing new; hellos lost between a and e are sent again. With d
// gone for good the others reshare without it (named as excluded); with c (a dealer that stays) gone
// too the ceremony fails naming both, writes nothing, and the retry succeeds. An old member that lost
// its shares says so in its hello: with a phase deadline longer than the test, nobody waits for its
// dealing, and it ends with a working new share.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  combinePartialSignatures,
  createBls,
  createSeededRandom,
  type SecretKey,
  SecretKey as SecretKeyClass,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDkgFrame, encodeHello } from '../../src/dkg/frames.ts';
import {
  isOperatorError,
  type P2pNetwork,
  parseClusterFile,
  parseReshareFile,
  publicKeyOf,
  type ReshareCeremonyResult,
  runReshareCeremony,
} from '../../src/index.ts';
import { decryptKeystoreFile } from '../../src/keys/keystore.ts';
import { createNode, operatorKey, type TestNode } from '../helpers/p2p.ts';
import { losingFirstHello } from './lossy-network.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-reshare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const bls = createBls();
const message = new TextEncoder().encode('a voluntary exit signing root');

const validatorKeys = [0, 1].map((i) => SecretKeyClass.random(createSeededRandom(`reshare validator ${i}`)));
const splits = validatorKeys.map((k, i) =>
  splitSecretKey(k, { threshold: 3, shareCount: 4, random: createSeededRandom(`reshare split ${i}`) }),
);

async function startNodes(labels: readonly string[]): Promise<TestNode[]> {
  const nodes = labels.map((l) => createNode(operatorKey(`reshare ${l}`)));
  await Promise.all(nodes.map((n) => n.network.start()));
  return nodes;
}

const entry = (n: TestNode) => ({
  address: n.network.address,
  p2pPublicKey: hex(publicKeyOf(n.key)),
  multiaddrs: n.network.listenAddresses(),
});

/** The ceremony file: the cluster file of a, b, c, d (3 of 4) and the new committee. */
function reshareText(old: readonly TestNode[], next: readonly TestNode[]): string {
  return JSON.stringify({
    version: 1,
    type: 'reshare',
    previous: {
      version: 1,
      operators: old.map(entry),
      validators: splits.map((s) => ({
        groupPublicKey: hex(s.groupPublicKey.bytes),
        threshold: 3,
        members: old.map((n, i) => ({
          operator: n.network.address,
          shareIndex: i + 1,
          publicShare: hex(s.publicShares[i]!.publicKey.bytes),
        })),
      })),
    },
    operators: next.map(entry),
    threshold: 3,
  });
}

/** Old member i's current shares, by group key. */
const sharesOf = (i: number) =>
  new Map<string, SecretKey>(splits.map((s) => [hex(s.groupPublicKey.bytes), s.shares[i]!.secretKey]));

function run(
  nodes: readonly TestNode[],
  old: readonly TestNode[],
  text: string,
  dir: string,
  phaseMs = 20_000,
  networks: ReadonlyMap<TestNode, P2pNetwork> = new Map(),
  lost?: TestNode,
) {
  return nodes.map((node) => {
    const oldIndex = old.indexOf(node);
    const shares =
      node === lost ? { lostShares: true } : oldIndex < 0 ? {} : { existingShares: sharesOf(oldIndex) };
    return runReshareCeremony({
      identityKey: node.key,
      ceremony: text,
      network: networks.get(node) ?? node.network,
      ...shares,
      outDir: join(dir, node.network.address),
      password: `pw ${node.network.address}`,
      kdf: 'fast',
      bls,
      connectTimeoutMs: 5_000,
      phaseTimeoutMs: phaseMs,
    });
  });
}

/** The new keystores of a, b, c, e sign; any 3 combine under the unchanged group keys. */
async function expectNewSharesSign(results: readonly ReshareCeremonyResult[]) {
  const holders = results.filter((r) => r.shareIndex !== undefined);
  expect(holders.map((r) => r.shareIndex).sort()).toEqual([1, 2, 3, 4]);
  for (const [v, s] of splits.entries()) {
    const partials = [];
    for (const r of holders) {
      expect(hex(r.groupPublicKeys[v]!)).toBe(hex(s.groupPublicKey.bytes));
      const { secret } = await decryptKeystoreFile(r.keystores[v]!, `pw ${r.outDir.split('/').at(-1)}`);
      const share = SecretKeyClass.fromBytes(secret);
      partials.push({ shareIndex: r.shareIndex!, signature: bls.sign(share, message) });
    }
    for (const pick of [
      partials.slice(0, 3),
      partials.slice(1),
      [partials[0]!, partials[3]!, partials[2]!],
    ]) {
      const signature = combinePartialSignatures(pick, { threshold: 3 });
      expect(bls.verify(s.groupPublicKey, message, signature)).toBe(true);
    }
    // An old share at index 4 does not combine with two new ones.
    const mixed = [
      partials[0]!,
      partials[1]!,
      { shareIndex: 4, signature: bls.sign(s.shares[3]!.secretKey, message) },
    ];
    expect(bls.verify(s.groupPublicKey, message, combinePartialSignatures(mixed, { threshold: 3 }))).toBe(
      false,
    );
  }
}

describe('runReshareCeremony', () => {
  it('replaces d by e in a 3-of-4 committee of two validators; the group keys stay', async () => {
    const [a, b, c, d, e] = await startNodes(['a', 'b', 'c', 'd', 'e']);
    const old = [a!, b!, c!, d!];
    const text = reshareText(old, [a!, b!, c!, e!]);
    const dir = join(root, 'all');
    try {
      const started = performance.now();
      const results = await Promise.all(run([a!, b!, c!, d!, e!], old, text, dir));
      process.stdout.write(
        `reshare 4 -> 4 (1 replaced), 2 validators: ${Math.round(performance.now() - started)} ms\n`,
      );
      await expectNewSharesSign(results);
      for (const r of results) expect(r.excludedDealers).toEqual([]);
      // d leaves: no share, no keystore; it writes the updated cluster file only.
      const leaver = results[3]!;
      expect(leaver.shareIndex).toBeUndefined();
      expect(readdirSync(leaver.outDir)).toEqual(['cluster.json']);
      const clusters = results.map((r) => readFileSync(r.clusterFile, 'utf8'));
      expect(new Set(clusters).size).toBe(1);
      const cluster = parseClusterFile(clusters[0]!);
      expect(cluster.operators.map((o) => o.address)).toEqual([a, b, c, e].map((n) => n!.network.address));
      for (const [v, committee] of cluster.validators.entries()) {
        expect(hex(committee.groupPublicKey)).toBe(hex(splits[v]!.groupPublicKey.bytes));
        expect(committee.members.map((m) => m.operator)).toEqual([a, b, c, e].map((n) => n!.network.address));
        // New public shares, not the old ones.
        expect(hex(committee.members[0]!.publicShare)).not.toBe(
          hex(splits[v]!.publicShares[0]!.publicKey.bytes),
        );
      }
      expect(readdirSync(dir).filter((f) => f.includes('.dkg-'))).toEqual([]);
    } finally {
      await Promise.all([a, b, c, d, e].map((n) => n!.network.stop()));
    }
  }, 120_000);

  it('completes when the first hello each way between a dealer that stays and the newcomer is lost', async () => {
    const [a, b, c, d, e] = await startNodes(['h-a', 'h-b', 'h-c', 'h-d', 'h-e']);
    const old = [a!, b!, c!, d!];
    const text = reshareText(old, [a!, b!, c!, e!]);
    // Neither a nor e has the other's key, and neither answers: only a repeated hello helps.
    const lossy = [
      losingFirstHello(a!.network, e!.network.address),
      losingFirstHello(e!.network, a!.network.address),
    ];
    const networks = new Map<TestNode, P2pNetwork>([
      [a!, lossy[0]!],
      [e!, lossy[1]!],
    ]);
    try {
      const results = await Promise.all(
        run([a!, b!, c!, d!, e!], old, text, join(root, 'lost'), 20_000, networks),
      );
      expect(lossy.map((n) => n.lost())).toEqual([1, 1]);
      await expectNewSharesSign(results);
      for (const r of results) expect(r.excludedDealers).toEqual([]);
    } finally {
      await Promise.all([a, b, c, d, e].map((n) => n!.network.stop()));
    }
  }, 120_000);

  it('d offline: fewer than t old members with c offline too fails naming both; the retry without d succeeds naming it', async () => {
    const [a, b, c, d, e] = await startNodes(['f-a', 'f-b', 'f-c', 'f-d', 'f-e']);
    const old = [a!, b!, c!, d!];
    const text = reshareText(old, [a!, b!, c!, e!]);
    await Promise.all([c!.network.stop(), d!.network.stop()]);
    const dir = join(root, 'offline');
    try {
      const outcomes = await Promise.allSettled(run([a!, b!, e!], old, text, dir, 2_000));
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        const error = (o as PromiseRejectedResult).reason;
        expect(isOperatorError(error, 'DKG_CEREMONY_FAILED'), String(error)).toBe(true);
        expect(error.details.stage).toBe('connect');
        expect(error.details.culprits).toEqual([c!.network.address, d!.network.address].sort());
        expect(error.message).toContain('1 new members missing, 2 of 4 old members joined (need 3)');
        expect(error.message).not.toContain('pw ');
      }
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
      // c is back (a new process: a new network on its port); d stays gone.
      const c2 = createNode(c!.key, { listen: c!.network.listenAddresses() });
      await c2.network.start();
      try {
        const started = performance.now();
        const results = await Promise.all(run([a!, b!, c2, e!], [a!, b!, c2, d!], text, dir, 2_000));
        process.stdout.write(
          `reshare without d (phase 2 s): ${Math.round(performance.now() - started)} ms\n`,
        );
        await expectNewSharesSign(results);
        for (const r of results) expect(r.excludedDealers).toEqual([d!.network.address]);
        expect(existsSync(join(dir, d!.network.address))).toBe(false);
      } finally {
        await c2.network.stop();
      }
    } finally {
      await Promise.all([a, b, e].map((n) => n!.network.stop()));
    }
  }, 120_000);

  it('c lost its shares: its hello says so, nobody waits for its dealing, and it gets a new share', async () => {
    const [a, b, c, d] = await startNodes(['l-a', 'l-b', 'l-c', 'l-d']);
    const old = [a!, b!, c!, d!];
    const text = reshareText(old, old);
    // a phase deadline longer than this test: a wait for c's dealing would time it out
    const dir = join(root, 'lost-shares');
    try {
      const results = await Promise.all(run(old, old, text, dir, 120_000, new Map(), c!));
      await expectNewSharesSign(results);
      for (const r of results) expect(r.excludedDealers).toEqual([c!.network.address]);
    } finally {
      await Promise.all(old.map((n) => n.network.stop()));
    }
  }, 60_000);

  it('hello frames: the deals-nothing flag round-trips; a flagless hello is read; other flags are refused', () => {
    const [digest, key, nonce] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2), new Uint8Array(8)];
    expect(decodeDkgFrame(encodeHello(digest, key, nonce, true))).toMatchObject({ dealsNothing: true });
    expect(decodeDkgFrame(encodeHello(digest, key, nonce))).toMatchObject({ dealsNothing: false });
    const flagless = encodeHello(digest, key, nonce).subarray(0, 74);
    expect(decodeDkgFrame(flagless)).toMatchObject({ type: 'hello', dealsNothing: false });
    const odd = encodeHello(digest, key, nonce);
    odd[74] = 2;
    expect(decodeDkgFrame(odd)).toBeUndefined();
  });

  it('the ceremony file: fields named; an old member without its share or with another is refused', async () => {
    const [a, b, c, d] = await startNodes(['x-a', 'x-b', 'x-c', 'x-d']);
    try {
      const text = reshareText([a!, b!, c!, d!], [a!, b!, c!]);
      const failure = (mutate: (o: Record<string, unknown>) => void) => {
        const o = JSON.parse(text);
        mutate(o);
        try {
          parseReshareFile(JSON.stringify(o), 'r.json');
        } catch (error) {
          if (isOperatorError(error, 'INVALID_INPUT_FILE'))
            return `${error.details.file} ${error.details.field}`;
          throw error;
        }
        throw new Error('accepted');
      };
      expect(failure((o) => (o.type = 'dkg'))).toBe('r.json type');
      expect(failure((o) => (o.threshold = 4))).toBe('r.json threshold');
      expect(failure((o) => (o.validators = ['0x01']))).toBe('r.json validators[0]');
      expect(
        failure((o) => {
          const v = (o.previous as { validators: { members: { publicShare: string }[] }[] }).validators[0]!;
          v.members[1]!.publicShare = v.members[2]!.publicShare;
        }),
      ).toMatch(/^r\.json previous\.validators\[0\]/);
      const refused = async (shares: Map<string, SecretKey> | undefined) => {
        try {
          await runReshareCeremony({
            identityKey: a!.key,
            ceremony: text,
            network: a!.network,
            ...(shares ? { existingShares: shares } : {}),
            outDir: join(root, 'refused'),
            password: 'pw',
          });
        } catch (error) {
          if (isOperatorError(error, 'INVALID_OPTION')) return error.message;
          throw error;
        }
        throw new Error('accepted');
      };
      expect(await refused(undefined)).toContain('no share of validator');
      expect(await refused(sharesOf(1))).toContain('is not share 1 of the ceremony file');
      expect(existsSync(join(root, 'refused'))).toBe(false);
    } finally {
      await Promise.all([a, b, c, d].map((n) => n!.network.stop()));
    }
  }, 30_000);
});
