// What a finished ceremony leaves on this operator's disk, all at once or not at all:
//
//   <outDir>/keystore-<group key>-<shareIndex>.json   this operator's share of each validator (EIP-2335)
//   <outDir>/cluster.json                             the committee of every validator (identical for all)
//   <outDir>/deposit_data-<unix time>.json            the deposit CLI's format (identical content for all)
//
// A resharing (./reshare.ts) writes the keystores of the new shares (none for a member that leaves)
// and the updated cluster file, and no deposit data (`writeReshareOutputs`).
//
// Everything is written into a staging directory beside <outDir>, checked there (each keystore
// decrypts to its public share, the cluster file passes the full parse with interpolation, the
// deposit file parses with its signatures verified), and the staging directory is then renamed to
// <outDir> in one step. A crash leaves at most a `.<name>.dkg-*.tmp` directory, never a partial
// <outDir>; any failure removes the staging directory.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  createDepositDataJson,
  parseDepositDataFile,
  serializeDepositDataFile,
} from '@diva-dvt/beacon-api/spec';
import { type Bls, PublicKey, SecretKey, Signature } from '@diva-dvt/bls-threshold';
import type { DkgResult } from '@diva-dvt/dkg';
import { type ClusterFile, formatClusterFile, parseClusterFile } from '../committee/cluster-file.ts';
import type { ValidatorCommittee } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { writeFileAtomic } from '../keys/files.ts';
import { decryptKeystoreFile, type KeystoreKdf, writeShareKeystore } from '../keys/keystore.ts';
import type { CeremonyFile } from './ceremony-file.ts';

/**
 * The deposit CLI version written into deposit_data-*.json: the staking deposit CLI release whose
 * format (one line, Python separators) this file reproduces byte for byte. The launchpad checks it.
 */
export const DEPOSIT_CLI_VERSION = '2.7.0';
export const CLUSTER_FILE_NAME = 'cluster.json';

export interface CeremonyOutputs {
  readonly outDir: string;
  readonly keystores: readonly string[];
  readonly clusterFile: string;
  readonly depositDataFile: string;
  readonly cluster: ClusterFile;
}

export interface WriteCeremonyOutputsParameters {
  readonly outDir: string;
  readonly ceremony: CeremonyFile;
  readonly result: DkgResult;
  /** Group signature of each validator's deposit message, in ceremony order. */
  readonly depositSignatures: readonly Uint8Array[];
  readonly password: string;
  readonly kdf: KeystoreKdf;
  readonly bls: Bls;
  readonly nowSec: number;
}

/**
 * Removes what a run into `outDir` that crashed while writing left beside it (its staging
 * directories): never a usable output, since only the final rename makes one.
 */
export async function removeStaleStaging(outDir: string): Promise<void> {
  const parent = dirname(outDir);
  const prefix = `.${basename(outDir)}.dkg-`;
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return; // no parent yet: nothing left over
  }
  for (const entry of entries) {
    if (entry.startsWith(prefix) && entry.endsWith('.tmp')) {
      await rm(join(parent, entry), { recursive: true, force: true });
    }
  }
}

/** `FILE_EXISTS` unless `outDir` is absent or an empty directory (checked before a ceremony starts). */
export async function checkOutDirFree(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new OperatorError({ code: 'FILE_EXISTS', path: outDir });
    throw new OperatorError(
      { code: 'FILE_ACCESS_FAILED', path: outDir, operation: 'read' },
      { cause: error },
    );
  }
  if (entries.length > 0) throw new OperatorError({ code: 'FILE_EXISTS', path: outDir });
}

/** The cluster file of a ceremony: the ceremony's operators and one committee per validator. */
export function clusterOfResult(ceremony: CeremonyFile, result: DkgResult): ClusterFile {
  const validators: ValidatorCommittee[] = result.validators.map((v) => ({
    groupPublicKey: v.groupPublicKey.bytes,
    threshold: result.threshold,
    members: ceremony.operators.map((o, i) => ({
      operator: o.address,
      shareIndex: i + 1,
      publicShare: v.publicShares[i]!.bytes,
    })),
  }));
  return { version: 1, operators: ceremony.operators, validators };
}

/** One share keystore to write: this operator's share of one validator. */
interface ShareToWrite {
  readonly groupPublicKey: Uint8Array;
  readonly shareIndex: number;
  readonly secretKey: SecretKey;
  /** The share's public key in the cluster file: the keystore must read back to it. */
  readonly publicShare: PublicKey;
}

/**
 * Runs `write` in a fresh staging directory beside `outDir`, then renames it to `outDir` in one step;
 * on any failure the staging directory is removed and nothing appears at `outDir`.
 */
async function staged<T>(outDir: string, write: (staging: string) => Promise<T>): Promise<T> {
  await checkOutDirFree(outDir);
  const staging = join(dirname(outDir), `.${basename(outDir)}.dkg-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(dirname(outDir), { recursive: true });
    await mkdir(staging, { mode: 0o700 });
    const out = await write(staging);
    // rename(2) replaces an empty directory: outDir, if it exists, was checked empty above.
    await rename(staging, outDir);
    return out;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (isOperatorError(error)) throw error;
    throw new OperatorError(
      { code: 'FILE_ACCESS_FAILED', path: outDir, operation: 'write' },
      { cause: error },
    );
  }
}

/** Writes each share keystore into `dir` and reads it back (it must decrypt to its public share). */
async function writeCheckedShares(
  dir: string,
  shares: readonly ShareToWrite[],
  password: string,
  kdf: KeystoreKdf,
): Promise<string[]> {
  const names: string[] = [];
  for (const share of shares) {
    const file = await writeShareKeystore({
      dir,
      groupPublicKey: share.groupPublicKey,
      share: { shareIndex: share.shareIndex, secretKey: share.secretKey },
      password,
      kdf,
    });
    const { secret } = await decryptKeystoreFile(file, password);
    const back = SecretKey.fromBytes(secret).toPublicKey();
    secret.fill(0);
    if (!back.equals(share.publicShare)) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: 'outDir',
        reason: `${file} does not read back as share ${share.shareIndex}`,
      });
    }
    names.push(basename(file));
  }
  return names;
}

/** Writes and checks the outputs in a staging directory, then renames it to `outDir` (see the file comment). */
export async function writeCeremonyOutputs(
  parameters: WriteCeremonyOutputsParameters,
): Promise<CeremonyOutputs> {
  const { outDir, ceremony, result, bls } = parameters;
  const shareIndex = result.shareIndex;
  if (shareIndex === undefined || result.validators.some((v) => v.secretShare === undefined)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'result',
      reason: 'this operator holds no valid share',
    });
  }
  return staged(outDir, async (staging) => {
    const shares = result.validators.map((v) => ({
      groupPublicKey: v.groupPublicKey.bytes,
      shareIndex,
      secretKey: v.secretShare!,
      publicShare: v.publicShares[shareIndex - 1]!,
    }));
    const names = await writeCheckedShares(staging, shares, parameters.password, parameters.kdf);
    const cluster = clusterOfResult(ceremony, result);
    const clusterText = formatClusterFile(cluster);
    const checked = parseClusterFile(clusterText, { file: join(outDir, CLUSTER_FILE_NAME), bls });
    await writeFileAtomic(join(staging, CLUSTER_FILE_NAME), clusterText);
    const entries = result.validators.map((v, i) =>
      createDepositDataJson({
        pubkey: v.groupPublicKey.bytes,
        withdrawalCredentials: ceremony.withdrawalCredentials,
        amountGwei: ceremony.amountGwei,
        signature: parameters.depositSignatures[i]!,
        forkVersion: ceremony.forkVersion,
        networkName: ceremony.networkName,
        depositCliVersion: DEPOSIT_CLI_VERSION,
      }),
    );
    const depositText = serializeDepositDataFile(entries);
    const depositName = `deposit_data-${parameters.nowSec}.json`;
    parseDepositDataFile(depositText, {
      forkVersion: ceremony.forkVersion,
      verifySignature: (pubkey, root, signature) =>
        bls.verify(PublicKey.fromBytes(pubkey), root, Signature.fromBytes(signature)),
    });
    await writeFileAtomic(join(staging, depositName), depositText);
    return {
      outDir,
      keystores: names.map((n) => join(outDir, n)),
      clusterFile: join(outDir, CLUSTER_FILE_NAME),
      depositDataFile: join(outDir, depositName),
      cluster: checked,
    };
  });
}

export interface WriteReshareOutputsParameters {
  readonly outDir: string;
  /** The updated cluster file (checked in full here before it is written). */
  readonly cluster: ClusterFile;
  /** This operator's new shares (none for a member that leaves). */
  readonly shares: readonly ShareToWrite[];
  readonly password: string;
  readonly kdf: KeystoreKdf;
  readonly bls: Bls;
}

/** A resharing's outputs: the new share keystores and the updated cluster file, staged and renamed. */
export async function writeReshareOutputs(
  parameters: WriteReshareOutputsParameters,
): Promise<Omit<CeremonyOutputs, 'depositDataFile'>> {
  const { outDir, bls } = parameters;
  return staged(outDir, async (staging) => {
    const names = await writeCheckedShares(staging, parameters.shares, parameters.password, parameters.kdf);
    const clusterText = formatClusterFile(parameters.cluster);
    const checked = parseClusterFile(clusterText, { file: join(outDir, CLUSTER_FILE_NAME), bls });
    await writeFileAtomic(join(staging, CLUSTER_FILE_NAME), clusterText);
    return {
      outDir,
      keystores: names.map((n) => join(outDir, n)),
      clusterFile: join(outDir, CLUSTER_FILE_NAME),
      cluster: checked,
    };
  });
}
