// The node's key store managed from outside the node, with real files and a real sqlite database:
// a split share imported into a node's key directory is what `loadKeyShares` loads at start; list
// reads without a password; delete writes the validator's EIP-3076 export before removing it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSlashingProtection,
  deleteKeyShare,
  importShareKeystore,
  isOperatorError,
  listKeyShares,
  loadKeyShares,
  type OperatorErrorCode,
  operatorPasswordFiles,
  readClusterFile,
  splitKeystore,
  writeIdentityKeystore,
} from '../../src/index.ts';
import { makeOperators, tempRoot, writePassword, writeValidatorKeystore } from './fixtures.ts';

const tmp = tempRoot('diva-key-store-');
afterAll(tmp.cleanup);
const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const NODE_PASSWORD = 'node password';

async function expectCode(promise: Promise<unknown>, code: OperatorErrorCode, mentions: string[]) {
  try {
    await promise;
  } catch (error) {
    if (!isOperatorError(error)) throw error;
    expect(error.code).toBe(code);
    for (const m of mentions) expect(error.message).toContain(m);
    expect(error.message).not.toContain(NODE_PASSWORD);
    return error;
  }
  return expect.unreachable(`expected ${code}`);
}

/** Operator 0's node (identity, password), and a 3-of-4 split of a fresh validator among 4 operators. */
async function setup() {
  const dir = tmp.dir('case');
  const operators = makeOperators(4);
  const keysDir = tmp.dir('keys');
  const keysPasswordFile = writePassword(dir, 'node-password.txt', NODE_PASSWORD);
  await writeIdentityKeystore({
    dir: keysDir,
    secretKey: operators[0]!.identity.secretKey,
    password: NODE_PASSWORD,
    kdf: 'fast',
  });
  const passwordsDir = tmp.dir('passwords');
  for (const [i, o] of operators.entries())
    writePassword(passwordsDir, `${o.identity.address}.txt`, `share password ${i}`);
  const split = async (name: string) => {
    const keystoreFile = join(dir, `${name}.json`);
    await writeValidatorKeystore(keystoreFile, SecretKey.random(), 'v');
    const peers = operators.map((o) => o.peer);
    return splitKeystore({
      keystoreFile,
      passwordFile: writePassword(dir, `${name}-password.txt`, 'v'),
      operators: peers,
      threshold: 3,
      sharePasswordFiles: operatorPasswordFiles(passwordsDir, peers),
      outDir: join(dir, 'out'),
      clusterFile: join(dir, 'cluster.json'),
      kdf: 'fast',
    });
  };
  const sharePassword = (i: number) => join(passwordsDir, `${operators[i]!.identity.address}.txt`);
  return {
    dir,
    operators,
    keysDir,
    keysPasswordFile,
    split,
    sharePassword,
    clusterFile: join(dir, 'cluster.json'),
  };
}

describe('the node key store', () => {
  it('imports a split share re-encrypted to the node password, which loadKeyShares then loads', async () => {
    const s = await setup();
    const split = await s.split('a');
    const imported = await importShareKeystore({
      keystoreFile: split.shares[0]!.file,
      passwordFile: s.sharePassword(0),
      keysDir: s.keysDir,
      keysPasswordFile: s.keysPasswordFile,
      clusterFile: s.clusterFile,
      kdf: 'fast',
    });
    expect(imported.shareIndex).toBe(1);
    expect(imported.groupPublicKey).toEqual(split.groupPublicKey);
    const cluster = await readClusterFile(s.clusterFile);
    const loaded = await loadKeyShares({
      dir: s.keysDir,
      passwordFile: s.keysPasswordFile,
      committees: cluster.validators,
      self: s.operators[0]!.identity.address,
    });
    expect([...loaded.keys()]).toEqual([hex(split.groupPublicKey)]);
    expect(loaded.get(hex(split.groupPublicKey))!.secretShare.secretKey.toPublicKey().bytes).toEqual(
      split.committee.members[0]!.publicShare,
    );
    const again = {
      keystoreFile: split.shares[0]!.file,
      passwordFile: s.sharePassword(0),
      keysDir: s.keysDir,
      keysPasswordFile: s.keysPasswordFile,
      clusterFile: s.clusterFile,
      kdf: 'fast' as const,
    };
    await expectCode(importShareKeystore(again), 'FILE_EXISTS', [imported.file]);
  });

  it("refuses another operator's share, an unknown share, a wrong password and a cluster file that does not interpolate", async () => {
    const s = await setup();
    const split = await s.split('b');
    const base = {
      keysDir: s.keysDir,
      keysPasswordFile: s.keysPasswordFile,
      clusterFile: s.clusterFile,
      kdf: 'fast' as const,
    };
    await expectCode(
      importShareKeystore({ ...base, keystoreFile: split.shares[2]!.file, passwordFile: s.sharePassword(2) }),
      'INVALID_INPUT_FILE',
      [split.shares[2]!.file, 'at pubkey', `to operator ${s.operators[2]!.identity.address}`],
    );
    const stranger = join(s.dir, 'stranger.json');
    const strangerKey = SecretKey.random();
    await writeValidatorKeystore(stranger, strangerKey, 'v', 'scrypt');
    await expectCode(
      importShareKeystore({ ...base, keystoreFile: stranger, passwordFile: join(s.dir, 'b-password.txt') }),
      'UNKNOWN_PUBKEY',
      [hex(strangerKey.toPublicKey().bytes), s.clusterFile],
    );
    await expectCode(
      importShareKeystore({ ...base, keystoreFile: split.shares[0]!.file, passwordFile: s.sharePassword(1) }),
      'WRONG_KEYSTORE_PASSWORD',
      [split.shares[0]!.file, `password in ${s.sharePassword(1)}`],
    );
    const json = JSON.parse(readFileSync(s.clusterFile, 'utf8'));
    json.validators[0].members[2].publicShare = hex(SecretKey.random().toPublicKey().bytes);
    const bad = join(s.dir, 'bad-cluster.json');
    writeFileSync(bad, JSON.stringify(json));
    await expectCode(
      importShareKeystore({
        ...base,
        clusterFile: bad,
        keystoreFile: split.shares[0]!.file,
        passwordFile: s.sharePassword(0),
      }),
      'INVALID_CLUSTER_FILE',
      [bad, 'validators[0].members'],
    );
    expect((await listKeyShares({ keysDir: s.keysDir })).length).toBe(0);
  });

  it('lists the shares held with their status against the cluster file, and names a malformed keystore', async () => {
    const s = await setup();
    const first = await s.split('c');
    const second = await s.split('d');
    for (const split of [first, second]) {
      await importShareKeystore({
        keystoreFile: split.shares[0]!.file,
        passwordFile: s.sharePassword(0),
        keysDir: s.keysDir,
        keysPasswordFile: s.keysPasswordFile,
        clusterFile: s.clusterFile,
        kdf: 'fast',
      });
    }
    const cluster = await readClusterFile(s.clusterFile);
    const self = s.operators[0]!.identity.address;
    const listed = await listKeyShares({ keysDir: s.keysDir, cluster, self });
    const expected = [first, second]
      .map((x) => ({
        groupPublicKey: x.groupPublicKey,
        shareIndex: 1,
        publicShare: x.committee.members[0]!.publicShare,
        status: 'active',
      }))
      .sort((a, b) => hex(a.groupPublicKey).localeCompare(hex(b.groupPublicKey)));
    expect(listed).toMatchObject(expected);
    const onlyFirst = {
      ...cluster,
      validators: cluster.validators.filter((v) => hex(v.groupPublicKey) === hex(first.groupPublicKey)),
    };
    const statuses = (await listKeyShares({ keysDir: s.keysDir, cluster: onlyFirst, self })).map((e) => [
      hex(e.groupPublicKey),
      e.status,
    ]);
    expect(statuses).toContainEqual([hex(second.groupPublicKey), 'not-in-cluster']);
    expect(statuses).toContainEqual([hex(first.groupPublicKey), 'active']);
    expect(
      (await listKeyShares({ keysDir: s.keysDir, cluster, self: s.operators[1]!.identity.address })).map(
        (e) => e.status,
      ),
    ).toEqual(['mismatch', 'mismatch']);
    const broken = listed[0]!.file;
    writeFileSync(broken, JSON.stringify({ version: 4 }));
    await expectCode(listKeyShares({ keysDir: s.keysDir }), 'INVALID_KEYSTORE', [
      broken,
      'not an EIP-2335 keystore',
    ]);
  });

  it('deletes a share after writing the EIP-3076 export of its validator; the database keeps the records', async () => {
    const s = await setup();
    const split = await s.split('e');
    const imported = await importShareKeystore({
      keystoreFile: split.shares[0]!.file,
      passwordFile: s.sharePassword(0),
      keysDir: s.keysDir,
      keysPasswordFile: s.keysPasswordFile,
      clusterFile: s.clusterFile,
      kdf: 'fast',
    });
    const root = new Uint8Array(32).fill(7);
    const protection = await createSlashingProtection({
      path: join(s.dir, 'sp.sqlite'),
      genesisValidatorsRoot: root,
    });
    try {
      const other = SecretKey.random().toPublicKey().bytes;
      for (const pubkey of [split.groupPublicKey, other]) {
        await protection.checkAndRecordAttestation({
          pubkey,
          sourceEpoch: 3,
          targetEpoch: 4,
          signingRoot: new Uint8Array(32).fill(1),
        });
      }
      await protection.checkAndRecordBlock({
        pubkey: split.groupPublicKey,
        slot: 40,
        signingRoot: new Uint8Array(32).fill(2),
      });
      const unknown = SecretKey.random().toPublicKey().bytes;
      const exportFile = join(s.dir, 'export.json');
      await expectCode(
        deleteKeyShare({ keysDir: s.keysDir, groupPublicKey: unknown, protection, exportFile }),
        'UNKNOWN_PUBKEY',
        [hex(unknown), s.keysDir],
      );
      writeFileSync(exportFile, 'earlier export');
      await expectCode(
        deleteKeyShare({ keysDir: s.keysDir, groupPublicKey: split.groupPublicKey, protection, exportFile }),
        'FILE_EXISTS',
        [exportFile],
      );
      expect(existsSync(imported.file)).toBe(true);
      const file = join(s.dir, 'export-2.json');
      const deleted = await deleteKeyShare({
        keysDir: s.keysDir,
        groupPublicKey: split.groupPublicKey,
        protection,
        exportFile: file,
      });
      expect(deleted.files).toEqual([imported.file]);
      expect(existsSync(imported.file)).toBe(false);
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written).toEqual({
        metadata: { interchange_format_version: '5', genesis_validators_root: hex(root) },
        data: [
          {
            pubkey: hex(split.groupPublicKey),
            signed_blocks: [{ slot: '40', signing_root: hex(new Uint8Array(32).fill(2)) }],
            signed_attestations: [
              { source_epoch: '3', target_epoch: '4', signing_root: hex(new Uint8Array(32).fill(1)) },
            ],
          },
        ],
      });
      // The records stay: signing the same target again with another root is still refused.
      const refused = await protection.checkAndRecordAttestation({
        pubkey: split.groupPublicKey,
        sourceEpoch: 3,
        targetEpoch: 4,
        signingRoot: new Uint8Array(32).fill(9),
      });
      expect(refused.allowed).toBe(false);
    } finally {
      await protection.close();
    }
  });
});
