// Trusted-dealer import of an existing validator key: one EIP-2335 keystore is decrypted in
// memory, split with Shamir (@diva-dvt/bls-threshold's `splitSecretKey`) into one share per
// committee member, each share written as an EIP-2335 keystore encrypted to its operator's
// password, and the validator added to a cluster file. The key and the shares never touch disk in
// clear. Before the cluster file is written, every keystore is decrypted again and compared with its
// public share, and the cluster file's text passes the full `parseClusterFile` check (the public
// shares interpolate to the group key); a failure removes what this run wrote.
//
// Layout: <outDir>/<operator address>/keystore-<group key>-<shareIndex>.json, the name the node's
// key store uses (./keystore.ts), so an operator whose node password is the share's can copy it.
// With `sealPasswords`, each keystore gets a random password sealed to its operator's identity key
// beside it (keystore-<group key>-<shareIndex>.password.sealed, ./sealed-password.ts): no password
// is shared with anyone, and `importShareKeystore` opens it with the node's identity.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Bls,
  combinePublicShares,
  createBls,
  type RandomSource,
  SecretKey,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import { type ClusterFile, formatClusterFile, parseClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import type { PeerInfo } from '../p2p/types.ts';
import { pathExists, writeFileAtomic } from './files.ts';
import {
  decryptBlsKeystore,
  decryptKeystoreFile,
  type KeystoreKdf,
  readPasswordFile,
  shareKeystoreFileName,
  writeShareKeystore,
} from './keystore.ts';
import { randomKeystorePassword, sealedPasswordFileName, sealPassword } from './sealed-password.ts';

export interface SplitKeystoreParameters {
  /** The validator's EIP-2335 keystore. */
  readonly keystoreFile: string;
  /** Its password file. */
  readonly passwordFile: string;
  /** The committee in share-index order: `operators[i]` receives share index i + 1. */
  readonly operators: readonly PeerInfo[];
  /** t: any t shares sign. */
  readonly threshold: number;
  /** One password file per operator, in the order of `operators`: each share is encrypted to its own. */
  readonly sharePasswordFiles?: readonly string[];
  /** Instead of password files: a random password per keystore, sealed to its operator's identity key. */
  readonly sealPasswords?: boolean;
  /** Receives `<operator address>/keystore-<group key>-<shareIndex>.json` per operator. */
  readonly outDir: string;
  /** The cluster file to write. When it exists the validator is added to it (new operators too). */
  readonly clusterFile: string;
  /** The validator's beacon-chain index, when known. */
  readonly validatorIndex?: number;
  /** KDF of the share keystores (default `production`). */
  readonly kdf?: KeystoreKdf;
  /** Randomness of the polynomial (default the platform CSPRNG; seeded only in tests). */
  readonly random?: RandomSource;
  /** Parses and checks G1 points (default noble). */
  readonly bls?: Bls;
}

export interface SplitKeystoreShare {
  readonly operator: OperatorAddress;
  /** 1-based. */
  readonly shareIndex: number;
  readonly file: string;
  /** With `sealPasswords`: the keystore's password, sealed to the operator. */
  readonly sealedPasswordFile?: string;
}

export interface SplitKeystoreResult {
  readonly groupPublicKey: Uint8Array;
  readonly committee: ValidatorCommittee;
  readonly clusterFile: string;
  readonly cluster: ClusterFile;
  readonly shares: readonly SplitKeystoreShare[];
}

const hex = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString('hex')}`;

function invalid(option: string, reason: string): never {
  throw new OperatorError({ code: 'INVALID_OPTION', option, reason });
}

/** The cluster file at `path` (undefined when absent) and its text, fully checked. */
async function readExistingCluster(
  path: string,
  bls: Bls,
): Promise<{ cluster: ClusterFile; text: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause: error });
  }
  return { cluster: parseClusterFile(text, { file: path, bls }), text };
}

/** `existing`'s operators plus those of the committee it lacks; a known address with another key fails. */
function mergeOperators(
  existing: readonly PeerInfo[],
  committee: readonly PeerInfo[],
  clusterFile: string,
): PeerInfo[] {
  const merged = [...existing];
  for (const operator of committee) {
    const at = merged.findIndex((o) => o.address === operator.address);
    if (at < 0) merged.push(operator);
    else if (Buffer.compare(merged[at]!.publicKey, operator.publicKey) !== 0) {
      throw new OperatorError({
        code: 'INVALID_INPUT_FILE',
        file: clusterFile,
        field: `operators[${at}].p2pPublicKey`,
        reason: `differs from the p2p key given for operator ${operator.address}`,
      });
    }
  }
  return merged;
}

function checkCommitteeInput(parameters: SplitKeystoreParameters): void {
  const { operators, threshold, sharePasswordFiles = [] } = parameters;
  const n = operators.length;
  if (n === 0) invalid('operators', 'expected at least one operator');
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) {
    invalid('threshold', `expected an integer in 1..${n} (the committee size)`);
  }
  if (parameters.sealPasswords === true) {
    if (sharePasswordFiles.length > 0) invalid('sharePasswordFiles', 'not with sealPasswords');
  } else if (sharePasswordFiles.length !== n) {
    invalid(
      'sharePasswordFiles',
      `expected one password file per operator (${n}), got ${sharePasswordFiles.length}`,
    );
  }
  const seen = new Map<string, number>();
  for (const [i, o] of operators.entries()) {
    const address = o.address.toLowerCase();
    const earlier = seen.get(address);
    if (earlier !== undefined)
      invalid(`operators[${i}]`, `operator ${address} is also operators[${earlier}]`);
    seen.set(address, i);
  }
  const { validatorIndex } = parameters;
  if (validatorIndex !== undefined && (!Number.isSafeInteger(validatorIndex) || validatorIndex < 0)) {
    invalid('validatorIndex', 'expected a non-negative integer');
  }
}

/** Decrypts the validator keystore: its secret key, checked against the keystore's `pubkey`. */
async function readValidatorKey(keystoreFile: string, passwordFile: string): Promise<SecretKey> {
  const { keystore, secretKey } = await decryptBlsKeystore(keystoreFile, passwordFile);
  const declared = keystore.pubkey ?? '';
  if (
    declared !== '' &&
    declared.toLowerCase().replace(/^0x/, '') !== Buffer.from(secretKey.toPublicKey().bytes).toString('hex')
  ) {
    throw new OperatorError({
      code: 'INVALID_INPUT_FILE',
      file: keystoreFile,
      field: 'pubkey',
      reason: 'is not the public key of the decrypted secret',
    });
  }
  return secretKey;
}

/**
 * Splits the validator key of `keystoreFile` among `operators` (see the file comment). Nothing is
 * overwritten (`FILE_EXISTS`); on any failure the keystores and directories this call created are
 * removed and the cluster file is left as it was. Errors: those of the inputs (`INVALID_OPTION`,
 * `INVALID_PASSWORD_FILE`, `INVALID_KEYSTORE`, `WRONG_KEYSTORE_PASSWORD`, `INVALID_CLUSTER_FILE`,
 * `INVALID_INPUT_FILE`), `FILE_EXISTS`, `FILE_ACCESS_FAILED`.
 */
export async function splitKeystore(parameters: SplitKeystoreParameters): Promise<SplitKeystoreResult> {
  checkCommitteeInput(parameters);
  const bls = parameters.bls ?? createBls();
  const { outDir, clusterFile, threshold } = parameters;
  const operators = parameters.operators.map((o) => ({
    ...o,
    address: o.address.toLowerCase() as OperatorAddress,
  }));
  const n = operators.length;
  // Every input is read and checked before the key is decrypted and anything is written.
  const passwords: string[] = [];
  const sealed = parameters.sealPasswords === true;
  if (sealed) for (const _ of operators) passwords.push(randomKeystorePassword());
  else for (const file of parameters.sharePasswordFiles ?? []) passwords.push(await readPasswordFile(file));
  const existing = await readExistingCluster(clusterFile, bls);
  const mergedOperators = mergeOperators(existing?.cluster.operators ?? [], operators, clusterFile);
  const secretKey = await readValidatorKey(parameters.keystoreFile, parameters.passwordFile);
  const groupPublicKey = secretKey.toPublicKey().bytes;
  const listedAt = existing?.cluster.validators.findIndex(
    (v) => Buffer.compare(v.groupPublicKey, groupPublicKey) === 0,
  );
  if (listedAt !== undefined && listedAt >= 0) {
    throw new OperatorError({
      code: 'INVALID_INPUT_FILE',
      file: clusterFile,
      field: `validators[${listedAt}].groupPublicKey`,
      reason: `validator ${hex(groupPublicKey)} is already in this cluster file`,
    });
  }
  const files = operators.map((o, i) =>
    join(outDir, o.address, shareKeystoreFileName(groupPublicKey, i + 1)),
  );
  const sealedFiles = files.map(sealedPasswordFileName);
  for (const file of [...files, ...(sealed ? sealedFiles : [])])
    if (await pathExists(file)) throw new OperatorError({ code: 'FILE_EXISTS', path: file });

  const split = splitSecretKey(secretKey, {
    threshold,
    shareCount: n,
    ...(parameters.random ? { random: parameters.random } : {}),
  });
  // The dealer's own check: the first t public shares interpolate to the validator's key.
  const combined = combinePublicShares(split.publicShares.slice(0, threshold), { threshold, shareCount: n });
  if (
    !combined.equals(split.groupPublicKey) ||
    Buffer.compare(split.groupPublicKey.bytes, groupPublicKey) !== 0
  ) {
    invalid('keystoreFile', 'the shares do not interpolate to the validator key (internal error)');
  }
  const committee: ValidatorCommittee = {
    groupPublicKey,
    threshold,
    members: operators.map((o, i) => ({
      operator: o.address,
      shareIndex: i + 1,
      publicShare: split.publicShares[i]!.publicKey.bytes,
    })),
    ...(parameters.validatorIndex === undefined ? {} : { validatorIndex: parameters.validatorIndex }),
  };
  const cluster: ClusterFile = {
    version: 1,
    operators: mergedOperators,
    validators: [...(existing?.cluster.validators ?? []), committee],
  };

  const created: string[] = []; // files and directories this run made, removed on failure
  try {
    for (const [i, operator] of operators.entries()) {
      const dir = join(outDir, operator.address);
      const madeDir = await mkdir(dir, { recursive: true }).catch((cause: unknown) => {
        throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: dir, operation: 'write' }, { cause });
      });
      if (madeDir !== undefined) created.push(madeDir); // the first directory made: out/ itself, perhaps
      const file = await writeShareKeystore({
        dir,
        groupPublicKey,
        share: split.shares[i]!,
        password: passwords[i]!,
        ...(parameters.kdf ? { kdf: parameters.kdf } : {}),
      });
      created.push(file);
      if (sealed) {
        const text = sealPassword({
          password: passwords[i]!,
          recipient: operator,
          keystorePubkey: split.publicShares[i]!.publicKey.bytes,
        });
        created.push(sealedFiles[i]!);
        await writeFileAtomic(sealedFiles[i]!, text, 0o600);
      }
    }
    // Read every keystore back: it decrypts with its operator's password to its public share.
    for (const [i, file] of files.entries()) {
      const { secret } = await decryptKeystoreFile(file, passwords[i]!);
      const back = SecretKey.fromBytes(secret).toPublicKey().bytes;
      secret.fill(0);
      if (Buffer.compare(back, committee.members[i]!.publicShare) !== 0) {
        invalid('outDir', `${file} does not read back as share ${i + 1}`);
      }
    }
    const text = formatClusterFile(cluster);
    // The full check of the file as written, with the interpolation of the new committee.
    const checked = parseClusterFile(text, { file: clusterFile, bls });
    await writeFileAtomic(clusterFile, text);
    return {
      groupPublicKey,
      committee,
      clusterFile,
      cluster: checked,
      shares: operators.map((o, i) => ({
        operator: o.address,
        shareIndex: i + 1,
        file: files[i]!,
        ...(sealed ? { sealedPasswordFile: sealedFiles[i]! } : {}),
      })),
    };
  } catch (error) {
    for (const path of created.reverse()) await rm(path, { recursive: true, force: true });
    if (isOperatorError(error)) throw error;
    throw new OperatorError(
      { code: 'FILE_ACCESS_FAILED', path: outDir, operation: 'write' },
      { cause: error },
    );
  }
}
