// Trusted-dealer split of an EIP-2335 keystore into share keystores and a cluster file, with real
// files: the shares recover the key, each keystore opens only with its operator's password, the
// cluster file loads through the cluster-file source, and every bad input fails naming the file and
// field while leaving nothing behind.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decrypt } from '@chainsafe/bls-keystore';
import { combinePublicShares, createBls, recoverSecretKey, SecretKey } from '@diva-dvt/bls-threshold';
import { readVectorJson, vectorsFile } from '@diva-dvt/test-vectors';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClusterFileSource,
  isOperatorError,
  type OperatorErrorCode,
  operatorPasswordFiles,
  readClusterFile,
  readOperatorsFile,
  shareKeystoreFileName,
  splitKeystore,
} from '../../src/index.ts';
import { makeOperators, operatorsJson, tempRoot, writePassword, writeValidatorKeystore } from './fixtures.ts';

const tmp = tempRoot('diva-split-');
afterAll(tmp.cleanup);
const bls = createBls();
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** A validator keystore, 16 operators with a password directory, and an operators file. */
async function setup(count = 16, kdf: 'scrypt' | 'pbkdf2' = 'pbkdf2') {
  const dir = tmp.dir('case');
  const secretKey = SecretKey.random();
  const keystoreFile = join(dir, 'keystore.json');
  await writeValidatorKeystore(keystoreFile, secretKey, 'validator password', kdf);
  const passwordFile = writePassword(dir, 'validator-password.txt', 'validator password');
  const operators = makeOperators(count);
  const operatorsFile = join(dir, 'operators.json');
  writeFileSync(operatorsFile, operatorsJson(operators.map((o) => o.peer)));
  const passwordsDir = tmp.dir('passwords');
  const passwords = operators.map((_o, i) => `operator ${i} password`);
  for (const [i, o] of operators.entries())
    writePassword(passwordsDir, `${o.identity.address}.txt`, passwords[i]!);
  const outDir = join(dir, 'out');
  return {
    dir,
    secretKey,
    keystoreFile,
    passwordFile,
    operators,
    operatorsFile,
    passwordsDir,
    passwords,
    outDir,
  };
}

async function expectCode(promise: Promise<unknown>, code: OperatorErrorCode, mentions: string[]) {
  try {
    await promise;
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    expect(error.code).toBe(code);
    for (const m of mentions) expect(error.message).toContain(m);
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('password"');
    return error;
  }
  return expect.unreachable(`expected ${code}`);
}

describe('splitKeystore (trusted-dealer import)', () => {
  it('splits a key 11 of 16: any 11 shares recover it and each keystore opens with its operator password only', async () => {
    const s = await setup();
    const peers = await readOperatorsFile(s.operatorsFile);
    const clusterFile = join(s.outDir, 'cluster.json');
    const result = await splitKeystore({
      keystoreFile: s.keystoreFile,
      passwordFile: s.passwordFile,
      operators: peers,
      threshold: 11,
      sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, peers),
      outDir: s.outDir,
      clusterFile,
      kdf: 'fast',
    });
    expect(result.groupPublicKey).toEqual(s.secretKey.toPublicKey().bytes);
    expect(result.shares.map((x) => x.shareIndex)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    const shares: { shareIndex: number; secretKey: SecretKey }[] = [];
    for (const [i, share] of result.shares.entries()) {
      expect(share.file).toBe(
        join(s.outDir, s.operators[i]!.identity.address, shareKeystoreFileName(result.groupPublicKey, i + 1)),
      );
      expect(statSync(share.file).mode & 0o777).toBe(0o600);
      const json = JSON.parse(readFileSync(share.file, 'utf8'));
      expect(JSON.stringify(json)).not.toContain(hex(s.secretKey.toBytes()));
      await expect(decrypt(json, s.passwords[(i + 1) % 16]!)).rejects.toThrow();
      const bytes = await decrypt(json, s.passwords[i]!);
      shares.push({ shareIndex: i + 1, secretKey: SecretKey.fromBytes(bytes) });
    }
    // Neither the key nor any share is on disk in clear (hex or raw bytes) in any file written.
    const secrets = [s.secretKey.toBytes(), ...shares.map((x) => x.secretKey.toBytes())];
    const written = readdirSync(s.outDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(written).toHaveLength(17);
    for (const entry of written) {
      const content = readFileSync(join(entry.parentPath, entry.name));
      for (const secret of secrets) {
        expect(content.includes(Buffer.from(secret))).toBe(false);
        expect(content.toString('latin1').toLowerCase()).not.toContain(hex(secret));
      }
    }
    // Any 11: the last 11, and a scattered 11.
    expect(recoverSecretKey(shares.slice(5), 11).toBytes()).toEqual(s.secretKey.toBytes());
    const scattered = [0, 2, 3, 5, 7, 8, 10, 11, 13, 14, 15].map((i) => shares[i]!);
    expect(recoverSecretKey(scattered, 11).toBytes()).toEqual(s.secretKey.toBytes());
    expect(recoverSecretKey(shares.slice(0, 10), 10).toBytes()).not.toEqual(s.secretKey.toBytes());
    // The written cluster file: the full check, interpolation, and the source of operator 4.
    const cluster = await readClusterFile(clusterFile, { bls });
    expect(cluster.operators.map((o) => o.address)).toEqual(s.operators.map((o) => o.identity.address));
    const committee = cluster.validators[0]!;
    expect(committee.threshold).toBe(11);
    const publicShares = committee.members.slice(3, 14).map((m) => ({
      shareIndex: m.shareIndex,
      publicKey: bls.publicKeyFromBytes(m.publicShare),
    }));
    expect(hex(combinePublicShares(publicShares, { threshold: 11, shareCount: 16 }).bytes)).toBe(
      hex(s.secretKey.toPublicKey().bytes),
    );
    const source = createClusterFileSource({ path: clusterFile, self: s.operators[4]!.identity.address });
    await source.start();
    try {
      const snapshot = source.current();
      expect(snapshot.validators.map((v) => hex(v.groupPublicKey))).toEqual([hex(result.groupPublicKey)]);
      expect(snapshot.validators[0]!.members[4]!.operator).toBe(s.operators[4]!.identity.address);
      expect(snapshot.peers).toHaveLength(15);
    } finally {
      await source.stop();
    }
  });

  it('splits the EIP-2335 scrypt and PBKDF2 test keystores (full KDF cost) to their published key', async () => {
    const cases = readVectorJson<{ password: string; pubkey: string }>('eip2335', 'cases.json');
    for (const name of ['scrypt.json', 'pbkdf2.json']) {
      const s = await setup(4);
      const passwordFile = writePassword(s.dir, 'vector-password.txt', cases.password);
      const peers = await readOperatorsFile(s.operatorsFile);
      const result = await splitKeystore({
        keystoreFile: vectorsFile('eip2335', name),
        passwordFile,
        operators: peers,
        threshold: 3,
        sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, peers),
        outDir: s.outDir,
        clusterFile: join(s.outDir, 'cluster.json'),
        kdf: 'fast',
      });
      expect(`0x${hex(result.groupPublicKey)}`).toBe(cases.pubkey);
    }
  });

  it('adds a second validator to an existing cluster file, with the operators it lacks, and refuses one twice', async () => {
    const s = await setup(6);
    const all = await readOperatorsFile(s.operatorsFile);
    const clusterFile = join(s.outDir, 'cluster.json');
    const common = {
      passwordFile: s.passwordFile,
      outDir: s.outDir,
      clusterFile,
      kdf: 'fast' as const,
    };
    const first = all.slice(0, 4);
    await splitKeystore({
      ...common,
      keystoreFile: s.keystoreFile,
      operators: first,
      threshold: 3,
      sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, first),
      validatorIndex: 7,
    });
    const secondKey = SecretKey.random();
    const secondFile = join(s.dir, 'second.json');
    await writeValidatorKeystore(secondFile, secondKey, 'validator password', 'scrypt');
    const second = await readOperatorsFile(s.operatorsFile, {
      committee: [all[5]!.address, all[1]!.address, all[4]!.address, all[0]!.address],
    });
    await splitKeystore({
      ...common,
      keystoreFile: secondFile,
      operators: second,
      threshold: 3,
      sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, second),
    });
    const cluster = await readClusterFile(clusterFile, { bls });
    expect(cluster.operators.map((o) => o.address)).toEqual([
      ...first.map((o) => o.address),
      all[5]!.address,
      all[4]!.address,
    ]);
    expect(cluster.validators.map((v) => v.validatorIndex)).toEqual([7, undefined]);
    expect(cluster.validators[1]!.members.map((m) => m.operator)).toEqual(second.map((o) => o.address));
    const before = readFileSync(clusterFile, 'utf8');
    const again = await expectCode(
      splitKeystore({
        ...common,
        keystoreFile: secondFile,
        operators: second,
        threshold: 3,
        sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, second),
      }),
      'INVALID_INPUT_FILE',
      [clusterFile, 'validators[1].groupPublicKey', 'already in this cluster file'],
    );
    expect(again).toBeDefined();
    expect(readFileSync(clusterFile, 'utf8')).toBe(before);
  });

  it('names the file and field of each bad input and leaves nothing behind', async () => {
    const s = await setup(4);
    const peers = await readOperatorsFile(s.operatorsFile);
    const clusterFile = join(s.outDir, 'cluster.json');
    const base = {
      keystoreFile: s.keystoreFile,
      passwordFile: s.passwordFile,
      operators: peers,
      threshold: 3,
      sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, peers),
      outDir: s.outDir,
      clusterFile,
      kdf: 'fast' as const,
    };
    const wrong = writePassword(s.dir, 'wrong.txt', 'not it');
    await expectCode(splitKeystore({ ...base, passwordFile: wrong }), 'WRONG_KEYSTORE_PASSWORD', [
      s.keystoreFile,
      `password in ${wrong}`,
      'crypto.checksum',
    ]);

    const malformed = join(s.dir, 'malformed.json');
    const json = JSON.parse(readFileSync(s.keystoreFile, 'utf8'));
    json.crypto.kdf.params.c = 'two';
    writeFileSync(malformed, JSON.stringify(json));
    await expectCode(splitKeystore({ ...base, keystoreFile: malformed }), 'INVALID_KEYSTORE', [
      malformed,
      'crypto.kdf.params.c must be integer',
    ]);

    const lying = join(s.dir, 'lying.json');
    const other = JSON.parse(readFileSync(s.keystoreFile, 'utf8'));
    other.pubkey = hex(SecretKey.random().toPublicKey().bytes);
    writeFileSync(lying, JSON.stringify(other));
    await expectCode(splitKeystore({ ...base, keystoreFile: lying }), 'INVALID_INPUT_FILE', [
      lying,
      'at pubkey',
    ]);

    const twice = join(s.dir, 'twice.json');
    const list = JSON.parse(operatorsJson(peers));
    list.operators.push(list.operators[1]);
    writeFileSync(twice, JSON.stringify(list));
    await expectCode(readOperatorsFile(twice), 'INVALID_CLUSTER_FILE', [
      twice,
      'operators[4].address',
      'already listed at operators[1]',
    ]);
    await expectCode(
      readOperatorsFile(s.operatorsFile, { committee: [peers[0]!.address, peers[0]!.address] }),
      'INVALID_OPTION',
      ['committee[1]'],
    );

    const missing = [...base.sharePasswordFiles];
    missing[2] = join(s.passwordsDir, 'nobody.txt');
    await expectCode(splitKeystore({ ...base, sharePasswordFiles: missing }), 'INVALID_PASSWORD_FILE', [
      missing[2]!,
    ]);
    await expectCode(splitKeystore({ ...base, threshold: 5 }), 'INVALID_OPTION', ['threshold']);
    await expectCode(
      splitKeystore({ ...base, operators: [peers[0]!, peers[1]!, peers[0]!, peers[2]!] }),
      'INVALID_OPTION',
      ['operators[2]'],
    );
    expect(existsSync(s.outDir)).toBe(false);

    // A failure half-way (operator 3's directory cannot be made) removes the keystores written before it.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(s.outDir);
    writeFileSync(join(s.outDir, peers[2]!.address), 'in the way');
    await expectCode(splitKeystore(base), 'FILE_ACCESS_FAILED', [join(s.outDir, peers[2]!.address)]);
    expect(readdirSync(s.outDir)).toEqual([peers[2]!.address]);

    // A failure at the very end (the cluster file cannot be written) removes the new out directory.
    const fresh = join(s.dir, 'out4');
    await expectCode(
      splitKeystore({ ...base, outDir: fresh, clusterFile: join(s.dir, 'no-dir', 'c.json') }),
      'FILE_ACCESS_FAILED',
      [join(s.dir, 'no-dir', 'c.json')],
    );
    expect(existsSync(fresh)).toBe(false);

    // An existing share keystore is never overwritten.
    const done = await splitKeystore({
      ...base,
      outDir: join(s.dir, 'out2'),
      clusterFile: join(s.dir, 'out2', 'c.json'),
    });
    const kept = readFileSync(done.shares[0]!.file, 'utf8');
    await expectCode(
      splitKeystore({ ...base, outDir: join(s.dir, 'out2'), clusterFile: join(s.dir, 'out2', 'other.json') }),
      'FILE_EXISTS',
      [done.shares[0]!.file],
    );
    expect(readFileSync(done.shares[0]!.file, 'utf8')).toBe(kept);
    expect(existsSync(join(s.dir, 'out2', 'other.json'))).toBe(false);
  });

  it('refuses to extend a cluster file whose public shares do not interpolate to the group key', async () => {
    const s = await setup(4);
    const peers = await readOperatorsFile(s.operatorsFile);
    const clusterFile = join(s.dir, 'cluster.json');
    const base = {
      passwordFile: s.passwordFile,
      operators: peers,
      threshold: 3,
      sharePasswordFiles: operatorPasswordFiles(s.passwordsDir, peers),
      outDir: s.outDir,
      clusterFile,
      kdf: 'fast' as const,
    };
    await splitKeystore({ ...base, keystoreFile: s.keystoreFile });
    const json = JSON.parse(readFileSync(clusterFile, 'utf8'));
    json.validators[0].members[3].publicShare = `0x${hex(SecretKey.random().toPublicKey().bytes)}`;
    writeFileSync(clusterFile, JSON.stringify(json));
    const second = join(s.dir, 'second.json');
    await writeValidatorKeystore(second, SecretKey.random(), 'validator password');
    await expectCode(
      splitKeystore({ ...base, keystoreFile: second, outDir: join(s.dir, 'out3') }),
      'INVALID_CLUSTER_FILE',
      [clusterFile, 'validators[0].members', 'do not lie on one polynomial'],
    );
    expect(existsSync(join(s.dir, 'out3'))).toBe(false);
  });
});
