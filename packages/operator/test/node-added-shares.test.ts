// A running operator node picks up validators added at run time with their key shares: a share
// keystore written into its keys directory and the cluster file replaced (an atomic rename, which
// the watching source sees) make it serve the new validator without a restart; a validator whose
// keystore is missing is logged and skipped, and the node keeps running.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBeaconApi, createBeaconNodeClient } from '@diva-dvt/beacon-api';
import { SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import type { SignGuard } from '@diva-dvt/consensus';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createClusterFileSource,
  createDevCluster,
  createInstanceGuard,
  createP2pNetwork,
  createSlashingProtection,
  type LogFields,
  type Logger,
  loadAddedKeyShares,
  loadKeyShares,
  OperatorNode,
  type SlashingProtection,
  shareKeystoreFileName,
  writeClusterFile,
  writeShareKeystore,
} from '../src/index.ts';
import { GENESIS_TIME_SEC, GENESIS_VALIDATORS_ROOT, startTestBeaconNode } from './helpers/beacon-node.ts';
import { createFakeClock } from './helpers/fake-clock.ts';
import { bls } from './helpers/harness.ts';
import { waitUntil } from './helpers/p2p.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const PASSWORD = 'node added shares test';
const secretKey = (i: number) => new Uint8Array(32).fill(0).map((_, j) => (j === 31 ? i : j === 0 ? 1 : 0));

describe('operator node: validators added at run time', () => {
  it('serves a validator whose share and cluster entry arrive while it runs; a missing keystore is skipped', {
    timeout: 60_000,
  }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'diva-node-added-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const dev = await createDevCluster({
      secretKeys: [secretKey(1), secretKey(2), secretKey(3)],
      validatorIndices: [5, 6, 7],
      operators: 3,
      committeeSize: 3,
      threshold: 2,
      seed: 'node added shares',
      dir: join(root, 'dev'),
      password: PASSWORD,
      kdf: 'fast',
      basePort: 1,
    });
    const me = dev.operators[0]!;
    const [first, second, third] = dev.validators.map((v) => v.committee) as [
      (typeof dev.validators)[number]['committee'],
      (typeof dev.validators)[number]['committee'],
      (typeof dev.validators)[number]['committee'],
    ];
    const shareIndexOf = (c: typeof first) => c.members.find((m) => m.operator === me.address)!.shareIndex;
    const keystoreOf = (c: typeof first) =>
      join(me.dir, shareKeystoreFileName(c.groupPublicKey, shareIndexOf(c)));
    // The second and third validators' keystores are not in the keys directory yet.
    const aside = join(root, 'aside');
    await mkdir(aside);
    for (const c of [second, third]) await rename(keystoreOf(c), join(aside, `${c.validatorIndex}.json`));
    const clusterDir = join(root, 'cluster');
    await mkdir(clusterDir);
    const clusterPath = join(clusterDir, 'cluster.json');
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [first] });

    const logs: { level: string; message: string; fields: LogFields | undefined }[] = [];
    const log = (level: string) => (message: string, fields?: LogFields) =>
      logs.push({ level, message, fields });
    const logger: Logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
    const clock = createFakeClock(GENESIS_TIME_SEC * 1000 - 60_000);
    const beacon = await startTestBeaconNode({ clock });
    cleanups.push(() => beacon.close());
    const protection: SlashingProtection = await createSlashingProtection({
      path: join(root, 'slashing-protection.sqlite'),
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
    });
    cleanups.push(() => protection.close());
    const perInstance = createInstanceGuard(protection);
    const committees = createClusterFileSource({
      path: clusterPath,
      self: me.address,
      watch: true,
      bls,
      logger,
    });
    await committees.start();
    const loaded = await loadKeyShares({
      dir: me.dir,
      passwordFile: me.passwordFile,
      committees: committees.current().validators,
      self: me.address,
    });
    await committees.stop(); // as diva-node's start: the node starts the source again
    const node = new OperatorNode(
      {
        api: createBeaconApi(createBeaconNodeClient({ url: beacon.url })),
        clock,
        bls,
        network: createP2pNetwork({
          privateKey: me.identity.secretKey,
          listen: ['/ip4/127.0.0.1/tcp/0'],
          logger,
        }),
        committees,
        shares: new Map([...loaded].map(([key, share]) => [key.slice(2), share.secretShare])),
        loadShares: (added) =>
          loadAddedKeyShares({
            dir: me.dir,
            passwordFile: me.passwordFile,
            committees: added,
            self: me.address,
          }),
        guardFor: () => perInstance as SignGuard,
        logger,
      },
      { identityKey: me.identity.secretKey },
    );
    await node.start();
    cleanups.push(() => node.stop());
    const hexOf = (c: typeof first) => `0x${Buffer.from(c.groupPublicKey).toString('hex')}`;
    const entry = (c: typeof first) => node.status().validators.find((v) => v.groupPublicKey === hexOf(c));
    expect(node.status().validators).toEqual([
      { groupPublicKey: hexOf(first), validatorIndex: 5, keyShare: true },
    ]);

    // `keys import` of the second validator's share, then the edited cluster file (atomic rename).
    await rename(join(aside, '6.json'), keystoreOf(second));
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [first, second] });
    await waitUntil(() => entry(second)?.keyShare === true, 'the node to serve the second validator');
    expect(entry(second)).toEqual({ groupPublicKey: hexOf(second), validatorIndex: 6, keyShare: true });
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'key shares loaded for added validators', fields: { count: 1 } }),
    );

    // The third validator named before its keystore is there: logged, skipped, the node runs on.
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [first, second, third] });
    await waitUntil(
      () => logs.some((l) => l.message.startsWith('key share not loaded')),
      'the missing keystore to be logged',
    );
    const skipped = logs.find((l) => l.message.startsWith('key share not loaded'))!;
    expect(skipped).toMatchObject({
      level: 'error',
      fields: { groupPublicKey: hexOf(third), code: 'MISSING_KEY_SHARE', file: keystoreOf(third) },
    });
    expect(JSON.stringify(logs)).not.toContain(PASSWORD);
    expect(node.status().started).toBe(true);
    expect(node.status().validators.map((v) => v.keyShare)).toEqual([true, true, false]);

    // Its keystore arrives: the next snapshot (here a reload of the same file) loads it.
    await rename(join(aside, '7.json'), keystoreOf(third));
    expect(await node.applyCommittees()).toEqual([]);
    expect(entry(third)).toEqual({ groupPublicKey: hexOf(third), validatorIndex: 7, keyShare: true });

    // A resharing of the first validator (same group key, new shares, as the chain lifecycle records
    // it): the new keystore over the old one, then the committee with the new public shares. The node
    // drops the share it held and serves the new one.
    const resplit = splitSecretKey(SecretKey.fromBytes(secretKey(1)), { threshold: 2, shareCount: 3 });
    const index = shareIndexOf(first);
    const loads = () => logs.filter((l) => l.message === 'key shares loaded for added validators');
    const loadsBefore = loads().length;
    const reshared = {
      ...first,
      members: first.members.map((m) => ({
        ...m,
        publicShare: resplit.publicShares[m.shareIndex - 1]!.publicKey.bytes,
      })),
    };
    expect(hexOf(reshared)).toBe(`0x${Buffer.from(resplit.groupPublicKey.bytes).toString('hex')}`);
    await writeShareKeystore({
      dir: me.dir,
      groupPublicKey: first.groupPublicKey,
      share: resplit.shares[index - 1]!,
      password: readFileSync(me.passwordFile, 'utf8').trim(),
      kdf: 'fast',
    });
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [reshared, second, third] });
    await waitUntil(
      () => logs.some((l) => l.message.startsWith('key share changed by a resharing')),
      'the reshared share to be noticed',
    );
    // loaded from the new keystore, which only loads if it holds the new public share's secret
    await waitUntil(() => loads().length === loadsBefore + 1, 'the new share loaded');
    expect(await node.applyCommittees()).toEqual([]);
    expect(entry(reshared)).toEqual({ groupPublicKey: hexOf(first), validatorIndex: 5, keyShare: true });
    expect(logs.filter((l) => l.level === 'error' && l.message === 'committee change not applied')).toEqual(
      [],
    );

    // The second validator no longer lists this operator (as the contracts source shows an operator
    // ejected by a recorded resharing): the node stops serving it and drops the share from memory;
    // listed again, the share is loaded again from its keystore.
    const dropped = () => logs.filter((l) => l.message.startsWith('validator no longer served'));
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [reshared, third] });
    await waitUntil(() => dropped().length === 1, 'the second validator dropped');
    expect(dropped()[0]!.fields).toEqual({ groupPublicKey: hexOf(second) });
    expect(node.status().validators.map((v) => v.groupPublicKey)).toEqual([hexOf(first), hexOf(third)]);
    const loadsThen = loads().length;
    await writeClusterFile(clusterPath, { ...dev.cluster, validators: [reshared, second, third] });
    await waitUntil(() => loads().length === loadsThen + 1, 'the second validator loaded again');
    expect(await node.applyCommittees()).toEqual([]);
    expect(entry(second)).toEqual({ groupPublicKey: hexOf(second), validatorIndex: 6, keyShare: true });
  });
});
