// Share keystores whose passwords are sealed to the operators' identity keys, with real files: a
// split with sealPasswords writes an EIP-2335 keystore and a sealed password per operator; each
// operator's node imports its own share with its identity (what `loadKeyShares` then loads); another
// operator's node, a tampered file and a malformed one are refused with one error naming the file,
// and no error carries the password or the key.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decrypt } from '@chainsafe/bls-keystore';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import {
  importShareKeystore,
  isOperatorError,
  loadKeyShares,
  type OperatorErrorCode,
  readClusterFile,
  readSealedPassword,
  sealedPasswordFileName,
  sealPassword,
  splitKeystore,
  unsealPassword,
  writeIdentityKeystore,
} from '../../src/index.ts';
import { makeOperators, tempRoot, writePassword, writeValidatorKeystore } from './fixtures.ts';

const tmp = tempRoot('diva-sealed-');
afterAll(tmp.cleanup);
const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

async function expectCode(
  promise: Promise<unknown>,
  code: OperatorErrorCode,
  mentions: string[],
  secrets: string[],
) {
  try {
    await promise;
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    expect(error.code, error.message).toBe(code);
    for (const m of mentions) expect(error.message).toContain(m);
    expect(error.message).not.toContain('\n');
    for (const s of secrets) expect(`${error.message} ${JSON.stringify(error.details)}`).not.toContain(s);
    return error;
  }
  return expect.unreachable(`expected ${code}`);
}

describe('sealed keystore passwords', () => {
  it('split seals each share password to its operator; each node imports its own share only', async () => {
    const dir = tmp.dir('split');
    const operators = makeOperators(4);
    const keystoreFile = join(dir, 'validator.json');
    const validatorKey = SecretKey.random();
    await writeValidatorKeystore(keystoreFile, validatorKey, 'validator password');
    const clusterFile = join(dir, 'out', 'cluster.json');
    const split = await splitKeystore({
      keystoreFile,
      passwordFile: writePassword(dir, 'validator-password.txt', 'validator password'),
      operators: operators.map((o) => o.peer),
      threshold: 3,
      sealPasswords: true,
      outDir: join(dir, 'out'),
      clusterFile,
      kdf: 'fast',
    });
    const sealed = split.shares.map((s) => s.sealedPasswordFile!);
    expect(sealed[1]).toBe(sealedPasswordFileName(split.shares[1]!.file));
    expect(sealed[1]).toMatch(/keystore-[0-9a-f]{96}-2\.password\.sealed$/);
    const text = readFileSync(sealed[1]!, 'utf8');
    expect(JSON.parse(text).recipient).toBe(operators[1]!.identity.address);
    // The share is still an EIP-2335 keystore; its password opens only with operator 1's key.
    const { password } = await readSealedPassword(sealed[1]!, operators[1]!.identity.secretKey);
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    const secret = await decrypt(JSON.parse(readFileSync(split.shares[1]!.file, 'utf8')), password);
    expect(hex(SecretKey.fromBytes(secret).toPublicKey().bytes)).toBe(
      hex(split.committee.members[1]!.publicShare),
    );
    // Different random passwords per keystore.
    const { password: other } = await readSealedPassword(sealed[2]!, operators[2]!.identity.secretKey);
    expect(other).not.toBe(password);

    // Operator 1's node imports its share with its identity; the node loads it at start.
    const keysDir = tmp.dir('node1');
    const keysPasswordFile = writePassword(dir, 'node1-password.txt', 'node 1 password');
    await writeIdentityKeystore({
      dir: keysDir,
      secretKey: operators[1]!.identity.secretKey,
      password: 'node 1 password',
      kdf: 'fast',
    });
    const imported = await importShareKeystore({
      keystoreFile: split.shares[1]!.file,
      sealedPasswordFile: sealed[1]!,
      keysDir,
      keysPasswordFile,
      clusterFile,
      kdf: 'fast',
    });
    expect(imported.shareIndex).toBe(2);
    const cluster = await readClusterFile(clusterFile);
    const loaded = await loadKeyShares({
      dir: keysDir,
      passwordFile: keysPasswordFile,
      committees: cluster.validators,
      self: operators[1]!.identity.address,
    });
    expect(loaded.get(hex(split.groupPublicKey))?.shareIndex).toBe(2);

    // Operator 1's node given operator 2's share and sealed password: one error naming the file.
    await expectCode(
      importShareKeystore({
        keystoreFile: split.shares[2]!.file,
        sealedPasswordFile: sealed[2]!,
        keysDir,
        keysPasswordFile,
        clusterFile,
      }),
      'UNSEAL_FAILED',
      [
        sealed[2]!,
        `sealed to operator ${operators[2]!.identity.address}`,
        `not to this operator (${operators[1]!.identity.address})`,
      ],
      [other, hex(operators[1]!.identity.secretKey).slice(2)],
    );
    // A sealed password altered (one ciphertext byte): refused naming the file, nothing leaked.
    const altered = JSON.parse(readFileSync(sealed[1]!, 'utf8'));
    altered.ciphertext = `${altered.ciphertext.slice(0, -2)}${altered.ciphertext.endsWith('00') ? '01' : '00'}`;
    const alteredFile = join(dir, 'altered.password.sealed');
    writeFileSync(alteredFile, JSON.stringify(altered));
    await expectCode(
      readSealedPassword(alteredFile, operators[1]!.identity.secretKey),
      'UNSEAL_FAILED',
      [alteredFile, "does not open with this operator's identity key"],
      [password],
    );
    // Neither or both password sources: refused before anything is read.
    await expectCode(
      importShareKeystore({ keystoreFile: split.shares[1]!.file, keysDir, keysPasswordFile, clusterFile }),
      'INVALID_OPTION',
      ['either passwordFile or sealedPasswordFile'],
      [],
    );
  });

  it('sealed to a key that is not the recipient address: the key, not only the address, decides', () => {
    const [a, b] = makeOperators(2);
    const pubkey = SecretKey.random().toPublicKey().bytes;
    // Sealed to b's key but labelled with a's address: a's key does not open it.
    const text = sealPassword({
      password: 'p4ssw0rd-not-in-errors',
      recipient: { address: a!.identity.address, publicKey: b!.identity.publicKey },
      keystorePubkey: pubkey,
    });
    let error: unknown;
    try {
      unsealPassword(text, 'mislabelled.sealed', a!.identity.secretKey);
    } catch (e) {
      error = e;
    }
    expect(isOperatorError(error, 'UNSEAL_FAILED')).toBe(true);
    expect(String((error as Error).message)).toContain('mislabelled.sealed');
    expect(String((error as Error).message)).not.toContain('p4ssw0rd');
    // Malformed fields are named.
    const json = JSON.parse(text);
    for (const [field, value] of [
      ['nonce', '0x00'],
      ['scheme', 'rsa'],
      ['pubkey', 'zz'],
    ] as const) {
      try {
        unsealPassword(JSON.stringify({ ...json, [field]: value }), 'bad.sealed', a!.identity.secretKey);
        expect.unreachable(field);
      } catch (e) {
        expect(isOperatorError(e, 'INVALID_INPUT_FILE') && e.details.field).toBe(field);
      }
    }
    // Round trip with the right key and the right label.
    const good = sealPassword({ password: 'pw', recipient: a!.peer, keystorePubkey: pubkey });
    expect(unsealPassword(good, 'good.sealed', a!.identity.secretKey).password).toBe('pw');
    expect(hex(unsealPassword(good, 'good.sealed', a!.identity.secretKey).keystorePubkey)).toBe(hex(pubkey));
  });
});
