// A faulty dealer in a resharing, over real libp2p on loopback: old member d runs a real
// @diva-dvt/dkg member (the test adversary below, speaking the runtime's frames) that deals shares
// other than its own. Its dealing's constant term is not its public share, so everyone disqualifies
// it: with a, b, c dealing the resharing still succeeds and names d as left out; with c absent too
// only two of the three needed dealers qualify, and the ceremony fails naming c and d, writing nothing.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createBls,
  createSeededRandom,
  type SecretKey,
  SecretKey as SecretKeyClass,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import {
  createDkgMember,
  createEncryptionKeyPair,
  createSecp256k1Signer,
  type DkgOutput,
} from '@diva-dvt/dkg';
import { createNodeSecp256k1Verifier } from '@diva-dvt/dkg/node';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeDkgFrame, encodeDkg, encodeHello } from '../../src/dkg/frames.ts';
import { parseReshareFile, reshareFileDigest } from '../../src/dkg/reshare-file.ts';
import { reshareDkgConfig } from '../../src/dkg/reshare-shares.ts';
import { isOperatorError, publicKeyOf, runReshareCeremony } from '../../src/index.ts';
import { createNode, operatorKey, type TestNode } from '../helpers/p2p.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-reshare-faulty-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const bls = createBls();
const split = splitSecretKey(SecretKeyClass.random(createSeededRandom('faulty key')), {
  threshold: 3,
  shareCount: 4,
});
const entry = (n: TestNode) => ({
  address: n.network.address,
  p2pPublicKey: hex(publicKeyOf(n.key)),
  multiaddrs: n.network.listenAddresses(),
});

function reshareText(old: readonly TestNode[], next: readonly TestNode[], threshold: number): string {
  return JSON.stringify({
    version: 1,
    type: 'reshare',
    previous: {
      version: 1,
      operators: old.map(entry),
      validators: [
        {
          groupPublicKey: hex(split.groupPublicKey.bytes),
          threshold: 3,
          members: old.map((n, i) => ({
            operator: n.network.address,
            shareIndex: i + 1,
            publicShare: hex(split.publicShares[i]!.publicKey.bytes),
          })),
        },
      ],
    },
    operators: next.map(entry),
    threshold,
  });
}

/** An old member that joins like the runtime but deals a random share instead of its own. */
function faultyDealer(node: TestNode, text: string): void {
  const ceremony = parseReshareFile(text);
  const digest = reshareFileDigest(ceremony);
  const encryption = createEncryptionKeyPair((n) => new Uint8Array(randomBytes(n)));
  const participants = [
    ...ceremony.operators,
    ...ceremony.oldMembers.filter((o) => !ceremony.operators.some((p) => p.address === o.address)),
  ];
  const others = participants.filter((o) => o.address !== node.network.address);
  const hellos = new Map<string, Uint8Array>();
  const early: Uint8Array[] = [];
  let member: ReturnType<typeof createDkgMember> | undefined;
  const send = (out: DkgOutput) => {
    for (const m of out.messages) for (const o of others) node.network.send(o.address, encodeDkg(m.bytes));
  };
  const hello = (to: string) =>
    node.network.send(to as `0x${string}`, encodeHello(digest, encryption.publicKey, randomBytes(8)));
  const maybeStart = () => {
    if (member !== undefined || !ceremony.operators.every((o) => hellos.has(o.address))) return;
    const keys = ceremony.operators.map((o) => hellos.get(o.address)!);
    const verifier = createNodeSecp256k1Verifier();
    for (const o of participants)
      verifier.addKnownKey(
        Buffer.from(o.address.slice(2), 'hex'),
        secp256k1.Point.fromBytes(o.publicKey).toBytes(false),
      );
    member = createDkgMember({
      config: reshareDkgConfig(ceremony, digest, keys),
      signer: createSecp256k1Signer(node.key),
      verifier,
      encryptionSecretKey: encryption.secretKey,
      random: (n) => new Uint8Array(randomBytes(n)),
      existingShares: [SecretKeyClass.random()], // not its share
    });
    send(member.start());
    for (const e of early.splice(0)) send(member.handle(e));
  };
  node.network.setPeers(others);
  node.network.onMessage((from, bytes) => {
    const frame = decodeDkgFrame(bytes);
    if (frame?.type === 'hello' && !hellos.has(from)) {
      hellos.set(from, frame.encryptionKey);
      hello(from);
      maybeStart();
    } else if (frame?.type === 'dkg') {
      if (member === undefined) early.push(frame.envelope);
      else send(member.handle(frame.envelope));
    }
  });
  for (const o of others) hello(o.address);
}

const sharesOf = (i: number) =>
  new Map<string, SecretKey>([[hex(split.groupPublicKey.bytes), split.shares[i]!.secretKey]]);

function honest(nodes: readonly TestNode[], old: readonly TestNode[], text: string, dir: string) {
  return nodes.map((node) => {
    const i = old.indexOf(node);
    return runReshareCeremony({
      identityKey: node.key,
      ceremony: text,
      network: node.network,
      ...(i < 0 ? {} : { existingShares: sharesOf(i) }),
      outDir: join(dir, node.network.address),
      password: 'pw',
      kdf: 'fast',
      bls,
      connectTimeoutMs: 10_000,
      phaseTimeoutMs: 3_000,
    });
  });
}

describe('runReshareCeremony with a faulty dealer', () => {
  it('d deals another share: left out and named; with c absent too, too few dealers: fails naming c and d', async () => {
    const nodes = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map(async (l) => {
        const n = createNode(operatorKey(`faulty ${l}`));
        await n.network.start();
        return n;
      }),
    );
    const [a, b, c, d, e] = nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
    const old = [a, b, c, d];
    try {
      const text = reshareText(old, [a, b, c, e], 3);
      faultyDealer(d, text);
      const results = await Promise.all(honest([a, b, c, e], old, text, join(root, 'one')));
      for (const r of results) expect(r.excludedDealers).toEqual([d.network.address]);
      expect(results.map((r) => r.shareIndex)).toEqual([1, 2, 3, 4]);
      expect(hex(results[0]!.groupPublicKeys[0]!)).toBe(hex(split.groupPublicKey.bytes));
      expect(results[0]!.cluster.validators[0]!.members.map((m) => m.operator)).toEqual(
        [a, b, c, e].map((n) => n.network.address),
      );
    } finally {
      await Promise.all(nodes.map((n) => n.network.stop()));
    }
    // Again with fresh networks: c (leaving) absent, d faulty; a, b, e (t = 2) receive.
    const again = await Promise.all(
      ['a', 'b', 'd', 'e'].map(async (l) => {
        const n = createNode(operatorKey(`faulty ${l}`));
        await n.network.start();
        return n;
      }),
    );
    const [a2, b2, d2, e2] = again as [TestNode, TestNode, TestNode, TestNode];
    try {
      const text = reshareText([a2, b2, c, d2], [a2, b2, e2], 2);
      faultyDealer(d2, text);
      const dir = join(root, 'two');
      const outcomes = await Promise.allSettled(honest([a2, b2, e2], [a2, b2, c, d2], text, dir));
      for (const o of outcomes) {
        expect(o.status).toBe('rejected');
        const error = (o as PromiseRejectedResult).reason;
        expect(isOperatorError(error, 'DKG_CEREMONY_FAILED'), String(error)).toBe(true);
        expect(error.details.culprits).toEqual([c.network.address, d2.network.address].sort());
        expect(error.message).toContain('need 3');
      }
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    } finally {
      await Promise.all(again.map((n) => n.network.stop()));
    }
  }, 120_000);
});
