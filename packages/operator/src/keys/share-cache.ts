// Start-up with thousands of key shares: each share keystore costs one KDF (PBKDF2 with 262,144
// iterations: ~90 ms here), so 10,000 validators take a quarter of an hour to decrypt at every start.
// After a start, the node writes every share it loaded into one bundle in its data directory,
// encrypted as an EIP-2335 keystore is (the same KDF, AES-128-CTR, checksum) with the node's password,
// so the secrets stay encrypted at rest; the next start decrypts the bundle once and takes from it
// each share whose keystore file is unchanged (same SHA-256 of its bytes). A keystore that is new or
// changed is decrypted as usual and the bundle is rewritten. A bundle that does not decrypt (another
// password, a damaged file) is ignored: every keystore is decrypted and the bundle written anew.
// The shares in the bundle were checked against their public shares when they were first loaded,
// and the bundle's checksum (keyed by the password) protects them since.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { create, decrypt, type IKeystore } from '@chainsafe/bls-keystore';
import { SecretKey } from '@diva-dvt/bls-threshold';
import type { ValidatorCommittee } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { writeFileAtomic } from './files.ts';
import {
  type LoadedKeyShare,
  type LoadKeySharesParameters,
  loadKeyShares,
  readPasswordFile,
  shareKeystoreFileName,
} from './keystore.ts';

export interface LoadKeySharesCachedParameters extends LoadKeySharesParameters {
  /** The bundle, e.g. `<dataDir>/key-shares.cache.json` (mode 0600). */
  readonly cacheFile: string;
}

export interface LoadedKeyShares {
  readonly shares: ReadonlyMap<`0x${string}`, LoadedKeyShare>;
  /** Shares taken from the bundle, and keystores decrypted one by one. */
  readonly fromCache: number;
  readonly decrypted: number;
}

interface BundleEntry {
  /** The keystore's file name and the SHA-256 of its bytes when the share was loaded. */
  readonly file: string;
  readonly sha256: string;
  readonly shareIndex: number;
}

interface BundleFile {
  readonly version: 1;
  readonly entries: readonly BundleEntry[];
  /** EIP-2335 crypto over the entries' 32-byte secrets, concatenated in entry order. */
  readonly keystore: IKeystore;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function readBundle(file: string, password: string): Promise<Map<string, Uint8Array>> {
  const byKey = new Map<string, Uint8Array>();
  let bundle: BundleFile;
  let secrets: Uint8Array;
  try {
    bundle = JSON.parse(await readFile(file, 'utf8')) as BundleFile;
    if (bundle.version !== 1 || !Array.isArray(bundle.entries)) return byKey;
    secrets = await decrypt(bundle.keystore, password);
  } catch {
    return byKey; // absent, damaged or another password: decrypt the keystores
  }
  if (secrets.length !== bundle.entries.length * 32) return byKey;
  bundle.entries.forEach((e, i) => {
    byKey.set(`${e.file}:${e.sha256}:${e.shareIndex}`, secrets.slice(i * 32, (i + 1) * 32));
  });
  secrets.fill(0);
  return byKey;
}

/**
 * `loadKeyShares` with the start-up bundle described above. Errors are those of `loadKeyShares`
 * (for the keystores it has to decrypt) and `FILE_ACCESS_FAILED` when a keystore cannot be read.
 */
/** The `pubkey` a share keystore declares (its public share, hex), if any. */
function keystorePubkey(bytes: Buffer): string | undefined {
  try {
    const pubkey = (JSON.parse(bytes.toString('utf8')) as { pubkey?: unknown }).pubkey;
    return typeof pubkey === 'string' ? pubkey.toLowerCase().replace(/^0x/, '') : undefined;
  } catch {
    return undefined;
  }
}

export async function loadKeySharesCached(
  parameters: LoadKeySharesCachedParameters,
): Promise<LoadedKeyShares> {
  const self = parameters.self.toLowerCase();
  const password = await readPasswordFile(parameters.passwordFile);
  const cached = await readBundle(parameters.cacheFile, password);
  const shares = new Map<`0x${string}`, LoadedKeyShare>();
  const entries: BundleEntry[] = [];
  const misses: ValidatorCommittee[] = [];
  for (const committee of parameters.committees) {
    const member = committee.members.find((m) => m.operator === self);
    if (member === undefined) continue;
    const name = shareKeystoreFileName(committee.groupPublicKey, member.shareIndex);
    const file = join(parameters.dir, name);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      misses.push(committee); // loadKeyShares names it (MISSING_KEY_SHARE)
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    // A committee whose public shares changed (a recorded resharing) while the keystore did not:
    // the bundle's share is the old one, so it is checked (and refused) the slow way.
    if (keystorePubkey(bytes) !== hex(member.publicShare)) {
      misses.push(committee);
      continue;
    }
    const secret = cached.get(`${name}:${sha256}:${member.shareIndex}`);
    let secretKey: SecretKey | undefined;
    try {
      secretKey = secret === undefined ? undefined : SecretKey.fromBytes(secret);
    } catch {
      secretKey = undefined;
    }
    if (secretKey === undefined) {
      misses.push(committee);
      continue;
    }
    shares.set(`0x${hex(committee.groupPublicKey)}`, {
      groupPublicKey: committee.groupPublicKey,
      shareIndex: member.shareIndex,
      secretShare: { shareIndex: member.shareIndex, secretKey },
      file,
    });
    entries.push({ file: name, sha256, shareIndex: member.shareIndex });
  }
  for (const s of cached.values()) s.fill(0);
  const fromCache = shares.size;
  if (misses.length > 0) {
    const loaded = await loadKeyShares({ ...parameters, committees: misses });
    for (const [key, share] of loaded) {
      shares.set(key, share);
      const bytes = await readFile(share.file);
      entries.push({
        file: basename(share.file),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        shareIndex: share.shareIndex,
      });
    }
  }
  if (misses.length > 0 || entries.length !== cached.size) {
    await writeBundle(parameters.cacheFile, password, entries, shares);
  }
  return { shares, fromCache, decrypted: shares.size - fromCache };
}

/**
 * Removes the entries of the keystores named `files` (file names in the keys directory) from the
 * bundle, so that a share this node no longer holds (an ejected operator's, a promoted resharing's
 * old one) does not stay at rest in it; the whole file goes when no entry is left, or when it does
 * not open with `password` (a start would ignore it anyway). Decrypts only if an entry matches.
 * Returns how many entries were removed.
 */
export async function forgetBundledShares(parameters: {
  readonly cacheFile: string;
  readonly password: string;
  readonly files: readonly string[];
}): Promise<number> {
  const { cacheFile, password } = parameters;
  const names = new Set(parameters.files.map((f) => basename(f)));
  let bundle: BundleFile;
  try {
    bundle = JSON.parse(await readFile(cacheFile, 'utf8')) as BundleFile;
  } catch {
    return 0; // absent (or damaged: a start ignores and rewrites it)
  }
  const entries = Array.isArray(bundle.entries) ? bundle.entries : [];
  const kept = entries.filter((e) => !names.has(e.file));
  if (kept.length === entries.length) return 0;
  const remove = async () => {
    try {
      await rm(cacheFile, { force: true });
    } catch (cause) {
      throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: cacheFile, operation: 'write' }, { cause });
    }
  };
  let secrets: Uint8Array;
  try {
    secrets = await decrypt(bundle.keystore, password);
  } catch {
    await remove();
    return entries.length - kept.length;
  }
  try {
    if (kept.length === 0 || secrets.length !== entries.length * 32) {
      await remove();
      return entries.length - kept.length;
    }
    const rest = new Uint8Array(kept.length * 32);
    let at = 0;
    for (const [i, e] of entries.entries()) {
      if (names.has(e.file)) continue;
      rest.set(secrets.subarray(i * 32, (i + 1) * 32), at);
      at += 32;
    }
    try {
      const keystore = await create(password, rest, new Uint8Array(0), '');
      const next: BundleFile = { version: 1, entries: kept, keystore };
      await writeFileAtomic(cacheFile, `${JSON.stringify(next)}\n`, 0o600);
    } finally {
      rest.fill(0);
    }
    return entries.length - kept.length;
  } finally {
    secrets.fill(0);
  }
}

async function writeBundle(
  file: string,
  password: string,
  entries: readonly BundleEntry[],
  shares: ReadonlyMap<`0x${string}`, LoadedKeyShare>,
): Promise<void> {
  const byFile = new Map([...shares.values()].map((s) => [basename(s.file), s]));
  const secrets = new Uint8Array(entries.length * 32);
  for (const [i, e] of entries.entries()) {
    const bytes = byFile.get(e.file)!.secretShare.secretKey.toBytes();
    secrets.set(bytes, i * 32);
    bytes.fill(0);
  }
  try {
    const keystore = await create(password, secrets, new Uint8Array(0), '');
    const bundle: BundleFile = { version: 1, entries, keystore };
    await writeFileAtomic(file, `${JSON.stringify(bundle)}\n`, 0o600);
  } catch (error) {
    // without the bundle the next start is only slower
    if (!isOperatorError(error, 'FILE_ACCESS_FAILED')) throw error;
  } finally {
    secrets.fill(0);
  }
}
