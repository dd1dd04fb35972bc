// `diva-node keys …` and `diva-node slashing-protection …` run as real processes on real files:
// a validator keystore split among four operators, one operator importing, listing and deleting its
// share (with the slashing-protection export written first), EIP-3076 interchange files in and out,
// and each bad input ending with one line on stderr naming the file and field, exit status 1.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import {
  generateIdentity,
  readClusterFile,
  shareKeystoreFileName,
  writeIdentityKeystore,
  writeShareKeystore,
} from '@diva-dvt/operator';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineFailure, hex, runCliSync as run, scratchDir } from '../helpers/cli.ts';
import { writeNodeConfig, writeOperatorsFile, writeValidatorKeystore } from '../helpers/keys.ts';

const { at } = scratchDir('diva-keys-cli-');
const operators = Array.from({ length: 4 }, () => generateIdentity());
const validatorKey = SecretKey.random();
let validatorKeystore = '';
let groupHex = '';

/** Expects exit status `status` and exactly one stderr line containing each of `mentions`, no password. */
function expectFailure(r: ReturnType<typeof run>, status: number, mentions: string[]): string {
  const line = expectOneLineFailure(r, status, mentions);
  expect(line).not.toMatch(/password (0|1|2|3)|validator password|node password/);
  return line;
}

function nodeConfig(name: string, keysDir: string, cluster: string): string {
  writeFileSync(at(`${name}-password.txt`), 'node password\n');
  return writeNodeConfig(at(`${name}.json`), {
    dataDir: at(`${name}-data`),
    cluster,
    keysDir,
    passwordFile: at(`${name}-password.txt`),
  });
}

beforeAll(async () => {
  writeOperatorsFile(at, operators);
  mkdirSync(at('passwords'));
  for (const [i, o] of operators.entries())
    writeFileSync(at('passwords', `${o.address}.txt`), `password ${i}\n`);
  validatorKeystore = await writeValidatorKeystore(at, validatorKey);
  groupHex = hex(validatorKey.toPublicKey().bytes);
  mkdirSync(at('node0-keys'));
  await writeIdentityKeystore({
    dir: at('node0-keys'),
    secretKey: operators[0]!.secretKey,
    password: 'node password',
    kdf: 'fast',
  });
});

describe('diva-node keys and slashing-protection', () => {
  it('prints help for every command', () => {
    for (const args of [
      ['keys', '--help'],
      ['keys', 'split', '--help'],
      ['keys', 'import', '--help'],
      ['keys', 'list', '--help'],
      ['keys', 'delete', '--help'],
      ['slashing-protection', '--help'],
      ['slashing-protection', 'import', '--help'],
      ['slashing-protection', 'export', '--help'],
    ]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage:');
    }
    expect(run('--help').stdout).toContain('diva-node keys');
  });

  it('splits a keystore 3 of 4 into share keystores and a cluster file, then adds a second validator', async () => {
    const r = run(
      'keys',
      'split',
      '--keystore',
      validatorKeystore,
      '--password-file',
      at('validator-password.txt'),
      '--operators',
      at('operators.json'),
      '--operator-passwords',
      at('passwords'),
      '--out',
      at('out'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`validator ${groupHex}: 3 of 4`);
    const cluster = await readClusterFile(at('out', 'cluster.json'));
    expect(cluster.validators.map((v) => hex(v.groupPublicKey))).toEqual([groupHex]);
    for (const [i, o] of operators.entries()) {
      expect(
        existsSync(at('out', o.address, shareKeystoreFileName(validatorKey.toPublicKey().bytes, i + 1))),
      ).toBe(true);
    }
    // A second validator for three operators chosen by address, passwords given one file each.
    const second = SecretKey.random();
    mkdirSync(at('second'));
    const file = await writeShareKeystore({
      dir: at('second'),
      groupPublicKey: second.toPublicKey().bytes,
      share: { shareIndex: 1, secretKey: second },
      password: 'validator password',
      kdf: 'fast',
    });
    const chosen = [operators[3]!, operators[0]!, operators[2]!];
    const r2 = run(
      'keys',
      'split',
      '--keystore',
      file,
      '--password-file',
      at('validator-password.txt'),
      '--operators',
      at('operators.json'),
      '--committee',
      chosen.map((o) => o.address).join(','),
      ...chosen.flatMap((o) => ['--operator-password-file', at('passwords', `${o.address}.txt`)]),
      '--threshold',
      '2',
      '--validator-index',
      '12',
      '--out',
      at('out'),
    );
    expect(r2.status, r2.stderr).toBe(0);
    const both = await readClusterFile(at('out', 'cluster.json'));
    expect(both.validators).toHaveLength(2);
    expect(both.validators[1]).toMatchObject({ threshold: 2, validatorIndex: 12 });
    expect(both.validators[1]!.members.map((m) => m.operator)).toEqual(chosen.map((o) => o.address));
  });

  it('imports, lists and deletes a share; the delete writes the slashing-protection export first', async () => {
    const config = nodeConfig('node0', at('node0-keys'), at('out', 'cluster.json'));
    const share = at(
      'out',
      operators[0]!.address,
      shareKeystoreFileName(validatorKey.toPublicKey().bytes, 1),
    );
    const imported = run(
      'keys',
      'import',
      '--config',
      config,
      '--keystore',
      share,
      '--password-file',
      at('passwords', `${operators[0]!.address}.txt`),
    );
    expect(imported.status, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`imported share 1 of validator ${groupHex}`);
    const again = run(
      'keys',
      'import',
      '--config',
      config,
      '--keystore',
      share,
      '--password-file',
      at('passwords', `${operators[0]!.address}.txt`),
    );
    expectFailure(again, 1, [
      'exists already',
      join(at('node0-keys'), shareKeystoreFileName(validatorKey.toPublicKey().bytes, 1)),
    ]);

    const listed = run('keys', 'list', '--config', config);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${groupHex}\\s+share 1\\s+active`));
    const json = JSON.parse(run('keys', 'list', '--config', config, '--json').stdout);
    expect(json).toMatchObject([{ groupPublicKey: groupHex, shareIndex: 1, status: 'active' }]);

    // Records for the validator, imported as a migration from another client would bring them.
    const gvr = `0x${'5a'.repeat(32)}`;
    const interchange = at('history.json');
    writeFileSync(
      interchange,
      JSON.stringify({
        metadata: { interchange_format_version: '5', genesis_validators_root: gvr },
        data: [
          {
            pubkey: groupHex,
            signed_blocks: [{ slot: '81' }],
            signed_attestations: [{ source_epoch: '1', target_epoch: '2' }],
          },
        ],
      }),
    );
    const noRoot = run('slashing-protection', 'import', '--config', config, '--file', interchange);
    expectFailure(noRoot, 2, ['--genesis-validators-root', 'does not exist yet']);
    const sp = run(
      'slashing-protection',
      'import',
      '--config',
      config,
      '--file',
      interchange,
      '--genesis-validators-root',
      gvr,
    );
    expect(sp.status, sp.stderr).toBe(0);
    expect(sp.stdout).toContain('imported 1 validators (1 blocks, 1 attestations)');

    const unknown = hex(SecretKey.random().toPublicKey().bytes);
    expectFailure(run('keys', 'delete', '--config', config, '--pubkey', unknown), 1, [
      `unknown pubkey ${unknown}`,
      at('node0-keys'),
    ]);
    const exportFile = at('deleted-export.json');
    const deleted = run('keys', 'delete', '--config', config, '--pubkey', groupHex, '--export', exportFile);
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(JSON.parse(readFileSync(exportFile, 'utf8'))).toEqual({
      metadata: { interchange_format_version: '5', genesis_validators_root: gvr },
      data: [
        {
          pubkey: groupHex,
          signed_blocks: [{ slot: '81' }],
          signed_attestations: [{ source_epoch: '1', target_epoch: '2' }],
        },
      ],
    });
    expect(readdirSync(at('node0-keys'))).toEqual(['identity.json']);
    expect(run('keys', 'list', '--config', config).stdout).toContain('no key shares');
    expectFailure(
      run('slashing-protection', 'export', '--config', config, '--file', at('x.json'), '--pubkey', unknown),
      1,
      [`unknown pubkey ${unknown}`, 'slashing-protection.sqlite'],
    );
    expect(existsSync(at('x.json'))).toBe(false);
  });

  it('ends each bad input with one line naming the file and field, exit status 1, and writes nothing', () => {
    const split = (...extra: string[]) => {
      const base: Record<string, string> = {
        '--keystore': validatorKeystore,
        '--password-file': at('validator-password.txt'),
        '--operators': at('operators.json'),
        '--operator-passwords': at('passwords'),
        '--out': at('bad-out'),
      };
      for (let i = 0; i < extra.length; i += 2) base[extra[i]!] = extra[i + 1]!;
      return run('keys', 'split', ...Object.entries(base).flat());
    };
    writeFileSync(at('wrong.txt'), 'not the password\n');
    expectFailure(split('--password-file', at('wrong.txt')), 1, [
      `the password in ${at('wrong.txt')} does not decrypt keystore ${validatorKeystore}`,
      'crypto.checksum',
    ]);

    const malformed = JSON.parse(readFileSync(validatorKeystore, 'utf8'));
    malformed.crypto.checksum.message = 42;
    writeFileSync(at('malformed.json'), JSON.stringify(malformed));
    expectFailure(split('--keystore', at('malformed.json')), 1, [
      at('malformed.json'),
      'crypto.checksum.message',
    ]);

    const twice = JSON.parse(readFileSync(at('operators.json'), 'utf8'));
    twice.operators.push(twice.operators[2]);
    writeFileSync(at('twice.json'), JSON.stringify(twice));
    expectFailure(split('--operators', at('twice.json')), 1, [
      at('twice.json'),
      'operators[4].address',
      'already listed at operators[2]',
    ]);

    expectFailure(split('--threshold', '5'), 2, ['--threshold']);
    expect(existsSync(at('bad-out'))).toBe(false);

    // A cluster file whose public shares do not interpolate to the group key.
    const cluster = JSON.parse(readFileSync(at('out', 'cluster.json'), 'utf8'));
    cluster.validators[0].members[1].publicShare = hex(SecretKey.random().toPublicKey().bytes);
    writeFileSync(at('bad-cluster.json'), JSON.stringify(cluster));
    const config = nodeConfig('node-bad', at('node0-keys'), at('bad-cluster.json'));
    const share = at(
      'out',
      operators[0]!.address,
      shareKeystoreFileName(validatorKey.toPublicKey().bytes, 1),
    );
    expectFailure(
      run(
        'keys',
        'import',
        '--config',
        config,
        '--keystore',
        share,
        '--password-file',
        at('passwords', `${operators[0]!.address}.txt`),
      ),
      1,
      [at('bad-cluster.json'), 'validators[0].members', 'do not lie on one polynomial'],
    );
    expect(readdirSync(at('node0-keys'))).toEqual(['identity.json']);

    // A malformed keystore in the key directory, named with its field by `keys list`.
    const listConfig = nodeConfig('node-list', at('node0-keys'), at('out', 'cluster.json'));
    const broken = join(at('node0-keys'), `keystore-${'ab'.repeat(48)}-1.json`);
    writeFileSync(broken, JSON.stringify({ version: 4, uuid: 'x', path: '', crypto: {} }));
    expectFailure(run('keys', 'list', '--config', listConfig), 1, [
      broken,
      'not an EIP-2335 keystore',
      'crypto',
    ]);
    rmSync(broken);

    writeFileSync(
      at('bad-interchange.json'),
      JSON.stringify({ metadata: { interchange_format_version: '4' }, data: [] }),
    );
    expectFailure(
      run(
        'slashing-protection',
        'import',
        '--config',
        config,
        '--file',
        at('bad-interchange.json'),
        '--genesis-validators-root',
        `0x${'00'.repeat(32)}`,
      ),
      1,
      [at('bad-interchange.json'), 'metadata.interchange_format_version'],
    );

    // A running node holds the data directory: the tools refuse to touch its database.
    expect(readdirSync(at('node-bad-data'))).toEqual([]);
    writeFileSync(join(at('node-bad-data'), 'diva.lock'), `${process.pid}\n`);
    const history = ['--file', at('history.json'), '--genesis-validators-root', `0x${'5a'.repeat(32)}`];
    expectFailure(run('slashing-protection', 'import', '--config', config, ...history), 1, [
      `data directory ${at('node-bad-data')} is in use by process ${process.pid}`,
    ]);
    expectFailure(run('keys', 'delete', '--config', config, '--pubkey', '0x12'), 2, [
      '--pubkey',
      'expected 48 bytes',
    ]);
  });
});
