// The node's key store (the key directory of ./keystore.ts: identity.json and one
// keystore-<group key>-<shareIndex>.json per share, all under the node's one password) managed from
// outside the running node: import a share keystore received from a split or a ceremony, list the
// shares held, delete one after writing the EIP-3076 slashing-protection export of its validator.
// A share is imported only when the cluster file gives that share to this operator, so the node
// will load it at start (`loadKeyShares` checks the same).
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type IKeystore, schemaValidationErrors } from '@chainsafe/bls-keystore';
import { type Bls, SecretKey } from '@diva-dvt/bls-threshold';
import { type ClusterFile, readClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import type { SlashingInterchange, SlashingProtection } from '../slashing-protection.ts';
import { pathExists, writeFileAtomic } from './files.ts';
import {
  decryptBlsKeystore,
  decryptKeystoreFile,
  type KeystoreKdf,
  loadIdentity,
  readPasswordFile,
  shareKeystoreFileName,
  writeShareKeystore,
} from './keystore.ts';
import { readSealedPassword } from './sealed-password.ts';

const hex = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString('hex')}`;
const SHARE_FILE = /^keystore-([0-9a-f]{96})-([1-9][0-9]*)\.json$/;

export interface ImportShareKeystoreParameters {
  /** The share's EIP-2335 keystore (its `pubkey`, if any, is checked). */
  readonly keystoreFile: string;
  /** The password file of that keystore (or `sealedPasswordFile`). */
  readonly passwordFile?: string;
  /** Instead: its password sealed to this node's identity key (`keys split --seal-passwords`). */
  readonly sealedPasswordFile?: string;
  /** The node's key directory (holds identity.json). */
  readonly keysDir: string;
  /** The node's password file: the imported share is encrypted to it. */
  readonly keysPasswordFile: string;
  /** The cluster file that lists the share's validator with this operator as a member. */
  readonly clusterFile: string;
  /** KDF of the stored keystore (default `production`). */
  readonly kdf?: KeystoreKdf;
  readonly bls?: Bls;
}

export interface ImportedKeyShare {
  readonly groupPublicKey: Uint8Array;
  /** 1-based. */
  readonly shareIndex: number;
  /** The keystore written into the key directory. */
  readonly file: string;
}

/** The share keystore decrypted with its password file or its sealed password. */
async function decryptShare(
  parameters: ImportShareKeystoreParameters,
  identitySecretKey: Uint8Array,
): Promise<{ keystore: IKeystore; secretKey: SecretKey }> {
  const { keystoreFile, passwordFile, sealedPasswordFile } = parameters;
  if ((passwordFile === undefined) === (sealedPasswordFile === undefined)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'passwordFile',
      reason: 'give either passwordFile or sealedPasswordFile',
    });
  }
  if (passwordFile !== undefined) return decryptBlsKeystore(keystoreFile, passwordFile);
  const { password } = await readSealedPassword(sealedPasswordFile!, identitySecretKey);
  let decrypted: { keystore: IKeystore; secret: Uint8Array };
  try {
    decrypted = await decryptKeystoreFile(keystoreFile, password);
  } catch (error) {
    if (isOperatorError(error, 'WRONG_KEYSTORE_PASSWORD')) {
      throw new OperatorError({
        code: 'WRONG_KEYSTORE_PASSWORD',
        file: keystoreFile,
        passwordFile: sealedPasswordFile!,
      });
    }
    throw error;
  }
  try {
    return { keystore: decrypted.keystore, secretKey: SecretKey.fromBytes(decrypted.secret) };
  } catch {
    throw new OperatorError({
      code: 'INVALID_KEYSTORE',
      file: keystoreFile,
      reason: 'does not hold a BLS secret key',
    });
  } finally {
    decrypted.secret.fill(0);
  }
}

/**
 * Imports one share keystore into the node's key store, re-encrypted to the node's password.
 * `UNKNOWN_PUBKEY` when the share's public key is no member's public share in the cluster file,
 * `INVALID_INPUT_FILE` (`pubkey`) when the cluster file gives it to another operator,
 * `FILE_EXISTS` when the store holds that share already; and the keystore and cluster file errors.
 */
export async function importShareKeystore(
  parameters: ImportShareKeystoreParameters,
): Promise<ImportedKeyShare> {
  const { keystoreFile, keysDir, clusterFile } = parameters;
  const identity = await loadIdentity({ dir: keysDir, passwordFile: parameters.keysPasswordFile });
  const cluster = await readClusterFile(clusterFile, {
    checkKeysOf: identity.address,
    ...(parameters.bls ? { bls: parameters.bls } : {}),
  });
  const nodePassword = await readPasswordFile(parameters.keysPasswordFile);
  const { keystore, secretKey } = await decryptShare(parameters, identity.secretKey);
  const publicShare = secretKey.toPublicKey().bytes;
  const declared = (keystore.pubkey ?? '').toLowerCase().replace(/^0x/, '');
  if (declared !== '' && declared !== hex(publicShare).slice(2)) {
    throw new OperatorError({
      code: 'INVALID_INPUT_FILE',
      file: keystoreFile,
      field: 'pubkey',
      reason: 'is not the public key of the decrypted secret',
    });
  }
  let found:
    | { groupPublicKey: Uint8Array; shareIndex: number; operator: OperatorAddress; at: string }
    | undefined;
  for (const [v, committee] of cluster.validators.entries()) {
    for (const member of committee.members) {
      if (Buffer.compare(member.publicShare, publicShare) === 0) {
        found = {
          groupPublicKey: committee.groupPublicKey,
          shareIndex: member.shareIndex,
          operator: member.operator,
          at: `validators[${v}]`,
        };
      }
    }
  }
  if (found === undefined) {
    throw new OperatorError({
      code: 'UNKNOWN_PUBKEY',
      pubkey: hex(publicShare),
      where: `the public shares of ${clusterFile}`,
    });
  }
  if (found.operator !== identity.address) {
    throw new OperatorError({
      code: 'INVALID_INPUT_FILE',
      file: keystoreFile,
      field: 'pubkey',
      reason: `${clusterFile} (${found.at}) gives share ${found.shareIndex} to operator ${found.operator}, not to this node (${identity.address})`,
    });
  }
  const target = join(keysDir, shareKeystoreFileName(found.groupPublicKey, found.shareIndex));
  if (await pathExists(target)) throw new OperatorError({ code: 'FILE_EXISTS', path: target });
  const file = await writeShareKeystore({
    dir: keysDir,
    groupPublicKey: found.groupPublicKey,
    share: { shareIndex: found.shareIndex, secretKey },
    password: nodePassword,
    ...(parameters.kdf ? { kdf: parameters.kdf } : {}),
  });
  return { groupPublicKey: found.groupPublicKey, shareIndex: found.shareIndex, file };
}

/** How a stored share relates to the cluster file. */
export type KeyShareStatus =
  /** The cluster file gives this share (index and public share) to this operator. */
  | 'active'
  /** The validator is not in the cluster file. */
  | 'not-in-cluster'
  /** The validator is there, but the share index, public share or operator differ. */
  | 'mismatch';

export interface KeyShareEntry {
  readonly file: string;
  readonly groupPublicKey: Uint8Array;
  /** 1-based. */
  readonly shareIndex: number;
  /** The keystore's `pubkey` (the public share), when it has one. */
  readonly publicShare: Uint8Array | undefined;
  /** Present when a cluster file was given. */
  readonly status?: KeyShareStatus;
}

export interface ListKeySharesParameters {
  readonly keysDir: string;
  /** Compared with each share (see `KeyShareStatus`). */
  readonly cluster?: ClusterFile;
  /** This operator (with `cluster`). */
  readonly self?: OperatorAddress;
}

/**
 * The share keystores of a key directory, ordered by group key and share index, read without
 * decrypting (no password needed). `INVALID_KEYSTORE` names a file that is not an EIP-2335 keystore.
 */
export async function listKeyShares(parameters: ListKeySharesParameters): Promise<KeyShareEntry[]> {
  const { keysDir, cluster } = parameters;
  let names: string[];
  try {
    names = await readdir(keysDir);
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: keysDir, operation: 'read' }, { cause });
  }
  const entries: KeyShareEntry[] = [];
  for (const name of names.sort()) {
    const match = SHARE_FILE.exec(name);
    if (match === null) continue;
    const file = join(keysDir, name);
    let json: unknown;
    try {
      json = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'unreadable or not valid JSON' });
    }
    const problems = schemaValidationErrors(json);
    if (problems !== null && problems.length > 0) {
      const field = problems[0]!.instancePath.slice(1).replaceAll('/', '.') || '(top level)';
      throw new OperatorError({
        code: 'INVALID_KEYSTORE',
        file,
        reason: `not an EIP-2335 keystore: ${field} ${problems[0]!.message}`,
      });
    }
    const pubkey = (json as { pubkey?: string }).pubkey ?? '';
    const publicShare = /^(0x)?[0-9a-fA-F]{96}$/.test(pubkey)
      ? Uint8Array.from(Buffer.from(pubkey.replace(/^0x/, ''), 'hex'))
      : undefined;
    const groupPublicKey = Uint8Array.from(Buffer.from(match[1]!, 'hex'));
    const shareIndex = Number(match[2]);
    let status: KeyShareStatus | undefined;
    if (cluster !== undefined) {
      const committee = cluster.validators.find(
        (v) => Buffer.compare(v.groupPublicKey, groupPublicKey) === 0,
      );
      const member = committee?.members.find((m) => m.shareIndex === shareIndex);
      if (committee === undefined) status = 'not-in-cluster';
      else if (
        member === undefined ||
        (parameters.self !== undefined && member.operator !== parameters.self.toLowerCase()) ||
        publicShare === undefined ||
        Buffer.compare(member.publicShare, publicShare) !== 0
      ) {
        status = 'mismatch';
      } else status = 'active';
    }
    entries.push({ file, groupPublicKey, shareIndex, publicShare, ...(status ? { status } : {}) });
  }
  return entries;
}

export interface DeleteKeyShareParameters {
  readonly keysDir: string;
  /** The validator (group) public key whose share(s) to delete. */
  readonly groupPublicKey: Uint8Array;
  /** The node's slashing-protection database (open): the validator's records are exported first. */
  readonly protection: SlashingProtection;
  /** Where the EIP-3076 export goes; must not exist. */
  readonly exportFile: string;
}

export interface DeletedKeyShare {
  /** The keystores removed. */
  readonly files: readonly string[];
  readonly exportFile: string;
  readonly interchange: SlashingInterchange;
}

/**
 * Deletes the validator's share keystores from the key directory after writing its EIP-3076
 * slashing-protection export (atomically; the database keeps its records, so a later re-import is
 * still protected). `UNKNOWN_PUBKEY` when the directory holds no share of it, `FILE_EXISTS` when
 * `exportFile` exists. Stop the node first (the CLI takes the data-directory lock).
 */
export async function deleteKeyShare(parameters: DeleteKeyShareParameters): Promise<DeletedKeyShare> {
  const { keysDir, groupPublicKey, exportFile } = parameters;
  if (groupPublicKey.length !== 48) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'groupPublicKey',
      reason: 'expected 48 bytes',
    });
  }
  const shares = (await listKeyShares({ keysDir })).filter(
    (e) => Buffer.compare(e.groupPublicKey, groupPublicKey) === 0,
  );
  if (shares.length === 0)
    throw new OperatorError({ code: 'UNKNOWN_PUBKEY', pubkey: hex(groupPublicKey), where: keysDir });
  if (await pathExists(exportFile)) throw new OperatorError({ code: 'FILE_EXISTS', path: exportFile });
  const exported = await parameters.protection.exportInterchange([groupPublicKey]);
  // A validator that never signed has no records: the export still names it, with empty lists.
  const interchange: SlashingInterchange =
    exported.data.length > 0
      ? exported
      : { ...exported, data: [{ pubkey: hex(groupPublicKey), signed_blocks: [], signed_attestations: [] }] };
  await writeFileAtomic(exportFile, `${JSON.stringify(interchange, null, 2)}\n`);
  const files: string[] = [];
  for (const share of shares) {
    try {
      await unlink(share.file);
    } catch (cause) {
      throw new OperatorError(
        { code: 'FILE_ACCESS_FAILED', path: share.file, operation: 'write' },
        { cause },
      );
    }
    files.push(share.file);
  }
  return { files, exportFile, interchange };
}
