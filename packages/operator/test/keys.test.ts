// Key shares and the identity at rest: EIP-2335 keystores written and read back through
// @chainsafe/bls-keystore, the EIP-2335 test vectors, and every failure naming the file without
// key material or password.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, decrypt, validateKeystore } from '@chainsafe/bls-keystore';
import { createSeededRandom, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { readVectorJson, vectorsFile } from '@diva-dvt/test-vectors';
import { afterAll, describe, expect, it } from 'vitest';
import {
  generateIdentity,
  IDENTITY_KEYSTORE_FILE,
  identityFromSecretKey,
  isOperatorError,
  loadIdentity,
  loadKeyShares,
  type OperatorAddress,
  type OperatorErrorCode,
  operatorAddressOf,
  readPasswordFile,
  shareKeystoreFileName,
  type ValidatorCommittee,
  writeIdentityKeystore,
  writeShareKeystore,
} from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const PASSWORD = 'correct horse battery staple';
function freshDir(password = PASSWORD): { dir: string; passwordFile: string } {
  const dir = join(root, `keys-${dirs++}`);
  mkdirSync(dir);
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(passwordFile, `${password}\n`);
  return { dir, passwordFile };
}

const random = createSeededRandom('keys-test');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const me = generateIdentity().address;
const others = Array.from({ length: 3 }, () => generateIdentity().address);

/** A 3-of-4 committee with `me` at `shareIndex`, and its secret shares. */
function committee(shareIndex: number) {
  const split = splitSecretKey(SecretKey.random(random), { threshold: 3, shareCount: 4, random });
  const operators = [...others];
  operators.splice(shareIndex - 1, 0, me);
  const c: ValidatorCommittee = {
    groupPublicKey: split.groupPublicKey.bytes,
    threshold: 3,
    members: split.publicShares.map((p, i) => ({
      operator: operators[i] as OperatorAddress,
      shareIndex: p.shareIndex,
      publicShare: p.publicKey.bytes,
    })),
  };
  return { committee: c, split, share: split.shares[shareIndex - 1]! };
}

async function expectFailure(
  promise: Promise<unknown>,
  code: OperatorErrorCode,
  file: string,
  secrets: string[],
) {
  try {
    await promise;
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    expect(error.code).toBe(code);
    expect(error.message).toContain(file);
    for (const secret of secrets) expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.details)).not.toContain(PASSWORD);
    return error;
  }
  return expect.unreachable(`expected ${code}`);
}

describe('key shares at rest (EIP-2335)', () => {
  it('writes a share keystore that @chainsafe/bls-keystore validates and decrypts to the share', async () => {
    const { dir } = freshDir();
    const { committee: c, share } = committee(2);
    const file = await writeShareKeystore({
      dir,
      groupPublicKey: c.groupPublicKey,
      share,
      password: PASSWORD,
      kdf: 'fast',
    });
    expect(file).toBe(join(dir, `keystore-${hex(c.groupPublicKey)}-2.json`));
    expect(file).toBe(join(dir, shareKeystoreFileName(c.groupPublicKey, 2)));
    const json = JSON.parse(readFileSync(file, 'utf8'));
    validateKeystore(json);
    expect(json.pubkey).toBe(hex(c.members[1]!.publicShare));
    expect(await decrypt(json, PASSWORD)).toEqual(share.secretKey.toBytes());
    await expect(decrypt(json, 'wrong')).rejects.toThrow();
  });

  it('uses the library default KDF (PBKDF2, 262,144 rounds) unless told fast', async () => {
    const { dir } = freshDir();
    const { committee: c, share } = committee(1);
    const production = await writeShareKeystore({
      dir,
      groupPublicKey: c.groupPublicKey,
      share,
      password: PASSWORD,
    });
    const params = JSON.parse(readFileSync(production, 'utf8')).crypto.kdf;
    expect(params.function).toBe('pbkdf2');
    expect(params.params.c).toBe(262144);
  });

  it("loads exactly this operator's shares of its committees, keyed by group public key", async () => {
    const { dir, passwordFile } = freshDir();
    const made = [committee(1), committee(4), committee(2)];
    for (const m of made) {
      await writeShareKeystore({
        dir,
        groupPublicKey: m.committee.groupPublicKey,
        share: m.share,
        password: PASSWORD,
        kdf: 'fast',
      });
    }
    // A committee without this operator is skipped (no keystore is looked for).
    const foreign = committee(3);
    const withoutMe = {
      ...foreign.committee,
      members: foreign.committee.members.map((m) =>
        m.operator === me ? { ...m, operator: generateIdentity().address } : m,
      ),
    };
    const shares = await loadKeyShares({
      dir,
      passwordFile,
      committees: [...made.map((m) => m.committee), withoutMe],
      self: me,
      concurrency: 2,
    });
    expect(shares.size).toBe(3);
    for (const m of made) {
      const loaded = shares.get(`0x${hex(m.committee.groupPublicKey)}`)!;
      expect(loaded.shareIndex).toBe(m.share.shareIndex);
      expect(loaded.secretShare.shareIndex).toBe(m.share.shareIndex);
      expect(loaded.secretShare.secretKey.toBytes()).toEqual(m.share.secretKey.toBytes());
      expect(loaded.groupPublicKey).toEqual(m.committee.groupPublicKey);
      expect(loaded.file).toBe(
        join(dir, shareKeystoreFileName(m.committee.groupPublicKey, m.share.shareIndex)),
      );
    }
    // Nothing secret when a share is printed or serialised.
    const printed = JSON.stringify(
      [...shares.values()].map((s) => ({ ...s, secretShare: String(s.secretShare.secretKey) })),
    );
    for (const m of made) expect(printed).not.toContain(hex(m.share.secretKey.toBytes()));
  });

  it("refuses a keystore whose key is not the cluster's public share, naming the file", async () => {
    const { dir, passwordFile } = freshDir();
    const { committee: c, split } = committee(2);
    // Share 1's key stored under share 2's name.
    const wrong = { shareIndex: 2, secretKey: split.shares[0]!.secretKey };
    const file = await writeShareKeystore({
      dir,
      groupPublicKey: c.groupPublicKey,
      share: wrong,
      password: PASSWORD,
      kdf: 'fast',
    });
    const error = await expectFailure(
      loadKeyShares({ dir, passwordFile, committees: [c], self: me }),
      'KEY_SHARE_MISMATCH',
      file,
      [hex(wrong.secretKey.toBytes())],
    );
    expect(error.details).toMatchObject({ shareIndex: 2, groupPublicKey: `0x${hex(c.groupPublicKey)}` });
  });

  it('names the missing keystore, the wrong password and a corrupt file without key material', async () => {
    const { dir, passwordFile } = freshDir();
    const { committee: c, share } = committee(3);
    const expected = join(dir, shareKeystoreFileName(c.groupPublicKey, 3));
    await expectFailure(
      loadKeyShares({ dir, passwordFile, committees: [c], self: me }),
      'MISSING_KEY_SHARE',
      expected,
      [],
    );

    await writeShareKeystore({
      dir,
      groupPublicKey: c.groupPublicKey,
      share,
      password: 'another password',
      kdf: 'fast',
    });
    await expectFailure(
      loadKeyShares({ dir, passwordFile, committees: [c], self: me }),
      'WRONG_KEYSTORE_PASSWORD',
      expected,
      [hex(share.secretKey.toBytes())],
    );

    const content = readFileSync(expected, 'utf8');
    writeFileSync(expected, content.slice(0, content.length / 2));
    const corrupt = await expectFailure(
      loadKeyShares({ dir, passwordFile, committees: [c], self: me }),
      'INVALID_KEYSTORE',
      expected,
      [content.slice(20, 60)],
    );
    expect(corrupt.details).toMatchObject({ reason: 'not valid JSON' });

    writeFileSync(expected, JSON.stringify({ version: 4 }));
    await expectFailure(
      loadKeyShares({ dir, passwordFile, committees: [c], self: me }),
      'INVALID_KEYSTORE',
      expected,
      [],
    );
  });

  it('rejects an empty or missing password file', async () => {
    const { dir, passwordFile } = freshDir('');
    await expect(loadIdentity({ dir, passwordFile })).rejects.toSatisfy(
      (e) => isOperatorError(e, 'INVALID_PASSWORD_FILE') && e.details.reason === 'empty',
    );
    const missing = join(dir, 'nope.txt');
    await expect(readPasswordFile(missing)).rejects.toSatisfy(
      (e) => isOperatorError(e, 'INVALID_PASSWORD_FILE') && e.details.file === missing,
    );
  });

  it('decrypts the EIP-2335 test vectors (scrypt and PBKDF2) to the expected secret', async () => {
    const cases = readVectorJson<{ password: string; secret: string; pubkey: string; keystores: string[] }>(
      'eip2335',
      'cases.json',
    );
    expect(cases.keystores).toEqual(['scrypt.json', 'pbkdf2.json']);
    for (const name of cases.keystores) {
      const { dir, passwordFile } = freshDir(cases.password);
      const pubkey = Uint8Array.from(Buffer.from(cases.pubkey.slice(2), 'hex'));
      // The vector's key as share 1 of a one-member committee whose public share is the vector's pubkey.
      const c: ValidatorCommittee = {
        groupPublicKey: pubkey,
        threshold: 1,
        members: [{ operator: me, shareIndex: 1, publicShare: pubkey }],
      };
      writeFileSync(join(dir, shareKeystoreFileName(pubkey, 1)), readFileSync(vectorsFile('eip2335', name)));
      const shares = await loadKeyShares({ dir, passwordFile, committees: [c], self: me });
      expect(`0x${hex(shares.get(cases.pubkey as `0x${string}`)!.secretShare.secretKey.toBytes())}`).toBe(
        cases.secret,
      );
    }
  });
});

describe('operator identity at rest', () => {
  it('round-trips the secp256k1 identity through identity.json, which passes the EIP-2335 schema', async () => {
    const { dir, passwordFile } = freshDir();
    const identity = generateIdentity();
    const file = await writeIdentityKeystore({
      dir,
      secretKey: identity.secretKey,
      password: PASSWORD,
      kdf: 'fast',
    });
    expect(file).toBe(join(dir, IDENTITY_KEYSTORE_FILE));
    const json = JSON.parse(readFileSync(file, 'utf8'));
    validateKeystore(json);
    expect(json.pubkey).toBeUndefined();
    expect(json.description).toContain(identity.address);
    const loaded = await loadIdentity({ dir, passwordFile });
    expect(loaded.address).toBe(identity.address);
    expect(loaded.publicKey).toEqual(identity.publicKey);
    expect(loaded.secretKey).toEqual(identity.secretKey);
    // A logger given the identity does not print the secret.
    expect(JSON.stringify(loaded)).not.toContain(hex(identity.secretKey).slice(0, 16));
    expect(Object.keys(loaded)).toEqual(['address', 'publicKey']);
  });

  it('fails with the file named on a wrong password or a keystore that is not an identity', async () => {
    const { dir, passwordFile } = freshDir();
    const identity = generateIdentity();
    const file = join(dir, IDENTITY_KEYSTORE_FILE);
    await writeIdentityKeystore({ dir, secretKey: identity.secretKey, password: 'other', kdf: 'fast' });
    await expectFailure(loadIdentity({ dir, passwordFile }), 'WRONG_KEYSTORE_PASSWORD', file, [
      hex(identity.secretKey),
    ]);
    // A keystore holding 16 bytes: not a secp256k1 secret key.
    const notIdentity = await create(PASSWORD, new Uint8Array(16).fill(1), new Uint8Array(48), '', null, {
      function: 'pbkdf2',
      params: { dklen: 32, c: 2, prf: 'hmac-sha256', salt: '00'.repeat(32) },
    });
    writeFileSync(file, JSON.stringify(notIdentity));
    await expectFailure(loadIdentity({ dir, passwordFile }), 'INVALID_KEYSTORE', file, []);
  });
});

describe('operator addresses', () => {
  it('derives the address as keccak256 of the uncompressed key, last 20 bytes (a known Ethereum account)', () => {
    // Secret key 1: its account is the well-known 0x7e5f4552091a69125d5dfcb7b8c2659029395bdf.
    const one = new Uint8Array(32);
    one[31] = 1;
    const identity = identityFromSecretKey(one);
    expect(identity.address).toBe('0x7e5f4552091a69125d5dfcb7b8c2659029395bdf');
    expect(operatorAddressOf(identity.publicKey)).toBe(identity.address);
    expect(() => identityFromSecretKey(new Uint8Array(32))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => operatorAddressOf(new Uint8Array(33))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
