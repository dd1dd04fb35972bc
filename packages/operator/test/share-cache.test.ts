// The start-up bundle of key shares: after one start, the shares come from one encrypted bundle
// (one KDF) instead of one KDF per keystore; a new or changed keystore is decrypted as usual, a
// bundle that does not decrypt is ignored, and the bundle never holds a share in clear.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createSeededRandom, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateIdentity,
  isOperatorError,
  type KeyShareLoadFailure,
  loadKeySharesCached,
  type OperatorAddress,
  type ValidatorCommittee,
  writeShareKeystore,
} from '../src/index.ts';
import { forgetBundledShares } from '../src/keys/share-cache.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-share-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const PASSWORD = 'bundle password';
const random = createSeededRandom('share-cache-test');
const me = generateIdentity().address;
const others = Array.from({ length: 3 }, () => generateIdentity().address);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let dirs = 0;
async function setup(count: number) {
  const dir = join(root, `keys-${dirs++}`);
  mkdirSync(dir);
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const made = Array.from({ length: count }, (_, k) => {
    const shareIndex = (k % 4) + 1;
    const split = splitSecretKey(SecretKey.random(random), { threshold: 3, shareCount: 4, random });
    const operators = [...others];
    operators.splice(shareIndex - 1, 0, me);
    const committee: ValidatorCommittee = {
      groupPublicKey: split.groupPublicKey.bytes,
      threshold: 3,
      members: split.publicShares.map((p, i) => ({
        operator: operators[i] as OperatorAddress,
        shareIndex: p.shareIndex,
        publicShare: p.publicKey.bytes,
      })),
    };
    return { committee, share: split.shares[shareIndex - 1]! };
  });
  const files: string[] = [];
  for (const m of made) {
    files.push(
      await writeShareKeystore({
        dir,
        groupPublicKey: m.committee.groupPublicKey,
        share: m.share,
        password: PASSWORD,
        kdf: 'fast',
      }),
    );
  }
  const params = {
    dir,
    passwordFile,
    committees: made.map((m) => m.committee),
    self: me,
    cacheFile: join(dir, 'key-shares.cache.json'),
  };
  return { dir, made, files, params };
}

describe('loadKeySharesCached', () => {
  it('decrypts every keystore once, then takes every share from the bundle', async () => {
    const { made, params } = await setup(3);
    const first = await loadKeySharesCached(params);
    expect([first.fromCache, first.decrypted]).toEqual([0, 3]);
    const bundleText = readFileSync(params.cacheFile, 'utf8');
    expect(statSync(params.cacheFile).mode & 0o777).toBe(0o600);
    for (const m of made) expect(bundleText).not.toContain(hex(m.share.secretKey.toBytes()));
    expect(JSON.parse(bundleText).keystore.crypto.kdf.params.c).toBe(262144);

    const second = await loadKeySharesCached(params);
    expect([second.fromCache, second.decrypted]).toEqual([3, 0]);
    for (const m of made) {
      const got = second.shares.get(`0x${hex(m.committee.groupPublicKey)}`)!;
      expect(got.secretShare.secretKey.toBytes()).toEqual(m.share.secretKey.toBytes());
      expect(got.shareIndex).toBe(m.share.shareIndex);
    }
  });

  it('decrypts a changed keystore again and drops a removed validator from the bundle', async () => {
    const { dir, made, params } = await setup(3);
    await loadKeySharesCached(params);
    // the same share encrypted again (new salt and IV): other bytes, so not taken from the bundle
    await writeShareKeystore({
      dir,
      groupPublicKey: made[1]!.committee.groupPublicKey,
      share: made[1]!.share,
      password: PASSWORD,
      kdf: 'fast',
    });
    const changed = await loadKeySharesCached(params);
    expect([changed.fromCache, changed.decrypted]).toEqual([2, 1]);
    const fewer = { ...params, committees: params.committees.slice(0, 2) };
    const removed = await loadKeySharesCached(fewer);
    expect([removed.fromCache, removed.decrypted, removed.shares.size]).toEqual([2, 0, 2]);
    expect(JSON.parse(readFileSync(params.cacheFile, 'utf8')).entries).toHaveLength(2);
  });

  it('does not take a share from the bundle once its committee names another public share (a resharing)', async () => {
    const { made, params } = await setup(2);
    await loadKeySharesCached(params);
    // the chain recorded new shares of the first validator; its keystore is still the old one
    const resplit = splitSecretKey(SecretKey.random(random), { threshold: 3, shareCount: 4, random });
    const committee = made[0]!.committee;
    const reshared: ValidatorCommittee = {
      ...committee,
      members: committee.members.map((m) => ({
        ...m,
        publicShare: resplit.publicShares[m.shareIndex - 1]!.publicKey.bytes,
      })),
    };
    const stale = loadKeySharesCached({ ...params, committees: [reshared, made[1]!.committee] });
    await expect(stale).rejects.toSatisfy((e) => isOperatorError(e, 'KEY_SHARE_MISMATCH'));
  });

  it('with onUnusable, skips a stale or missing share (reported, not bundled) and loads the others', async () => {
    // A node whose committees come from the chain, started after a resharing was recorded with no new
    // share at hand: that validator is left out, the others are served.
    const { made, files, params } = await setup(3);
    await loadKeySharesCached(params);
    const resplit = splitSecretKey(SecretKey.random(random), { threshold: 3, shareCount: 4, random });
    const committee = made[0]!.committee;
    const reshared: ValidatorCommittee = {
      ...committee,
      members: committee.members.map((m) => ({
        ...m,
        publicShare: resplit.publicShares[m.shareIndex - 1]!.publicKey.bytes,
      })),
    };
    rmSync(files[2]!);
    const failures: KeyShareLoadFailure[] = [];
    const loaded = await loadKeySharesCached({
      ...params,
      committees: [reshared, made[1]!.committee, made[2]!.committee],
      onUnusable: (f) => failures.push(f),
    });
    expect([...loaded.shares.keys()]).toEqual([`0x${hex(made[1]!.committee.groupPublicKey)}`]);
    // (in the order the loads end)
    expect(
      failures.map((f) => [f.groupPublicKey, f.code]).sort((a, b) => a[1]!.localeCompare(b[1]!)),
    ).toEqual([
      [`0x${hex(committee.groupPublicKey)}`, 'KEY_SHARE_MISMATCH'],
      [`0x${hex(made[2]!.committee.groupPublicKey)}`, 'MISSING_KEY_SHARE'],
    ]);
    expect(failures.find((f) => f.code === 'KEY_SHARE_MISMATCH')!.file).toBe(files[0]);
    // the bundle keeps only the share served
    const entries = JSON.parse(readFileSync(params.cacheFile, 'utf8')).entries as { file: string }[];
    expect(entries.map((e) => e.file)).toEqual([basename(files[1]!)]);
  });

  it('forgetBundledShares removes named entries, keeps the others usable, and deletes an emptied bundle', async () => {
    const { files, params } = await setup(3);
    await loadKeySharesCached(params);
    const before = readFileSync(params.cacheFile, 'utf8');
    const forget = (names: string[]) =>
      forgetBundledShares({ cacheFile: params.cacheFile, password: PASSWORD, files: names });
    expect(await forget(['keystore-unknown-1.json'])).toBe(0);
    expect(readFileSync(params.cacheFile, 'utf8')).toBe(before); // untouched: nothing decrypted
    expect(await forget([files[0]!])).toBe(1);
    const entries = JSON.parse(readFileSync(params.cacheFile, 'utf8')).entries as { file: string }[];
    // (the bundle lists its entries in the order their loads ended)
    expect(entries.map((e) => e.file).sort()).toEqual([basename(files[1]!), basename(files[2]!)].sort());
    // the remaining two still come from the bundle, the forgotten one is decrypted again
    const again = await loadKeySharesCached(params);
    expect([again.fromCache, again.decrypted]).toEqual([2, 1]);
    expect(await forget(files)).toBe(3);
    expect(existsSync(params.cacheFile)).toBe(false);
    expect(await forget(files)).toBe(0); // absent: nothing to do
  });

  it('ignores a damaged bundle, and one sealed with another password', async () => {
    const { params } = await setup(2);
    await loadKeySharesCached(params);
    const bundle = JSON.parse(readFileSync(params.cacheFile, 'utf8'));
    bundle.keystore.crypto.cipher.message = `00${bundle.keystore.crypto.cipher.message.slice(2)}`;
    writeFileSync(params.cacheFile, JSON.stringify(bundle));
    const damaged = await loadKeySharesCached(params);
    expect([damaged.fromCache, damaged.decrypted]).toEqual([0, 2]);

    // the password file changed, the keystores did not: the bundle does not open, and the keystores
    // fail with the usual error naming a file
    writeFileSync(params.passwordFile, 'another password\n');
    let error: unknown;
    try {
      await loadKeySharesCached(params);
    } catch (e) {
      error = e;
    }
    expect(isOperatorError(error, 'WRONG_KEYSTORE_PASSWORD')).toBe(true);
    expect(String((error as Error).message)).not.toContain(PASSWORD);
  });
});
