// `diva-node keys split --seal-passwords` and `keys import` of a sealed share, as real processes on
// real files: no share password is shared with anyone; operator 1's node imports its share with its
// own identity (the sealed password found beside the keystore); operator 0's node given operator 1's
// share ends with one stderr line naming the sealed file, exit status 1, and no key material.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { generateIdentity, readSealedPassword, writeIdentityKeystore } from '@diva-dvt/operator';
import { beforeAll, describe, expect, it } from 'vitest';
import { hex, runCliSync as run, scratchDir } from '../helpers/cli.ts';
import { writeNodeConfig, writeOperatorsFile, writeValidatorKeystore } from '../helpers/keys.ts';

const { at } = scratchDir('diva-sealed-cli-');
const operators = Array.from({ length: 4 }, () => generateIdentity());
const validatorKey = SecretKey.random();

const nodeConfig = (i: number): string =>
  writeNodeConfig(at(`node${i}.json`), {
    dataDir: at(`node${i}-data`),
    cluster: at('out', 'cluster.json'),
    keysDir: at(`node${i}-keys`),
    passwordFile: at(`node${i}-password.txt`),
  });

beforeAll(async () => {
  writeOperatorsFile(at, operators);
  await writeValidatorKeystore(at, validatorKey);
  for (const i of [0, 1]) {
    mkdirSync(at(`node${i}-keys`));
    writeFileSync(at(`node${i}-password.txt`), `node ${i} password\n`);
    await writeIdentityKeystore({
      dir: at(`node${i}-keys`),
      secretKey: operators[i]!.secretKey,
      password: `node ${i} password`,
      kdf: 'fast',
    });
  }
});

describe('diva-node keys split --seal-passwords / keys import', () => {
  it('seals each share password to its operator; only that operator imports it', async () => {
    const group = hex(validatorKey.toPublicKey().bytes).slice(2);
    const split = run(
      'keys',
      'split',
      '--keystore',
      at('validator.json'),
      '--password-file',
      at('validator-password.txt'),
      '--operators',
      at('operators.json'),
      '--seal-passwords',
      '--threshold',
      '3',
      '--out',
      at('out'),
    );
    expect(split.status, `${split.stdout}${split.stderr}`).toBe(0);
    expect(split.stdout).toContain('password sealed:');
    const dir1 = at('out', operators[1]!.address);
    expect(readdirSync(dir1).sort()).toEqual([
      `keystore-${group}-2.json`,
      `keystore-${group}-2.password.sealed`,
    ]);
    // Operator 1's node: no password flag, the sealed password beside the keystore opens with its identity.
    const imported = run(
      'keys',
      'import',
      '--config',
      nodeConfig(1),
      '--keystore',
      join(dir1, `keystore-${group}-2.json`),
    );
    expect(imported.status, `${imported.stdout}${imported.stderr}`).toBe(0);
    expect(imported.stdout).toContain('imported share 2');
    expect(existsSync(at('node1-keys', `keystore-${group}-2.json`))).toBe(true);
    const list = run('keys', 'list', '--config', nodeConfig(1));
    expect(list.stdout).toContain('active');
    // Operator 0's node given operator 1's share: one line naming the sealed file and both operators.
    const sealed = join(dir1, `keystore-${group}-2.password.sealed`);
    const wrong = run(
      'keys',
      'import',
      '--config',
      nodeConfig(0),
      '--keystore',
      join(dir1, `keystore-${group}-2.json`),
    );
    expect(wrong.status, `${wrong.stdout}${wrong.stderr}`).toBe(1);
    const lines = wrong.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('[UNSEAL_FAILED]');
    expect(lines[0]).toContain(sealed);
    expect(lines[0]).toContain(`sealed to operator ${operators[1]!.address}`);
    const { password } = await readSealedPassword(sealed, operators[1]!.secretKey);
    for (const secret of ['node 0 password', password, hex(operators[0]!.secretKey).slice(2)]) {
      expect(lines[0]).not.toContain(secret);
    }
    expect(readdirSync(at('node0-keys'))).toEqual(['identity.json']);
    // Both password sources: a command-line error.
    const both = run(
      'keys',
      'import',
      '--config',
      nodeConfig(1),
      '--keystore',
      join(dir1, `keystore-${group}-2.json`),
      '--password-file',
      at('validator-password.txt'),
      '--sealed-password-file',
      sealed,
    );
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--sealed-password-file');
  }, 120_000);
});
