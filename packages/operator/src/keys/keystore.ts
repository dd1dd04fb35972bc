// Key material at rest: EIP-2335 keystores (@chainsafe/bls-keystore), one per key share and one for
// the operator's secp256k1 identity, in one key directory with one password file:
//
//   <dir>/identity.json                                  the identity (secp256k1 secret, 32 bytes)
//   <dir>/keystore-<groupPublicKey, 96 hex>-<shareIndex>.json   one share (pubkey = its public share)
//
// The full group key in the name (not a prefix) means two validators never collide and a share's
// file is found from the cluster file alone. The identity keystore has no `pubkey` field (EIP-2335
// makes it optional and its schema allows only 48-byte BLS keys there); its description names the
// address. Keys are decrypted once at start; nothing here logs, and no error carries key material
// or the password.
import { randomBytes } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { create, decrypt, type IKeystore, schemaValidationErrors } from '@chainsafe/bls-keystore';
import { SecretKey, type SecretKeyShare } from '@diva-dvt/bls-threshold';
import type { OperatorAddress, ValidatorCommittee } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { writeFileAtomic } from './files.ts';
import { identityFromSecretKey, isIdentitySecretKey, type OperatorIdentity } from './identity.ts';

/**
 * The KDF of new keystores. `production`: the library's default, PBKDF2-HMAC-SHA256 with 262,144
 * iterations (the EIP-2335 test vector's cost; ~45 ms per keystore here). `fast`: 2 iterations, for
 * tests and devnets only: such a keystore is as good as plaintext.
 */
export type KeystoreKdf = 'production' | 'fast';

export const IDENTITY_KEYSTORE_FILE = 'identity.json';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const prefixed = (bytes: Uint8Array): `0x${string}` => `0x${hex(bytes)}`;

/** The keystore file name of share `shareIndex` (1-based) of the validator with `groupPublicKey`. */
export function shareKeystoreFileName(groupPublicKey: Uint8Array, shareIndex: number): string {
  return `keystore-${hex(groupPublicKey)}-${shareIndex}.json`;
}

function kdfModule(kdf: KeystoreKdf): Parameters<typeof create>[5] {
  if (kdf === 'production') return undefined;
  return {
    function: 'pbkdf2',
    params: { dklen: 32, c: 2, prf: 'hmac-sha256', salt: randomBytes(32).toString('hex') },
  };
}

export interface WriteShareKeystoreParameters {
  readonly dir: string;
  readonly groupPublicKey: Uint8Array;
  readonly share: SecretKeyShare;
  /** Passed as a string: EIP-2335 normalises it (NFKD, control characters removed). */
  readonly password: string;
  /** Default `production`. */
  readonly kdf?: KeystoreKdf;
}

/** Encrypts one key share into `<dir>/keystore-<group key>-<shareIndex>.json` (mode 0600); returns the path. */
export async function writeShareKeystore(parameters: WriteShareKeystoreParameters): Promise<string> {
  const { dir, groupPublicKey, share, password } = parameters;
  const file = join(dir, shareKeystoreFileName(groupPublicKey, share.shareIndex));
  const keystore = await create(
    password,
    share.secretKey.toBytes(),
    share.secretKey.toPublicKey().bytes,
    '',
    `Diva key share ${share.shareIndex} of validator ${prefixed(groupPublicKey)}`,
    kdfModule(parameters.kdf ?? 'production'),
  );
  await writeFileAtomic(file, `${JSON.stringify(keystore, null, 2)}\n`, 0o600);
  return file;
}

export interface WriteIdentityKeystoreParameters {
  readonly dir: string;
  /** 32-byte secp256k1 secret key. */
  readonly secretKey: Uint8Array;
  readonly password: string;
  /** Default `production`. */
  readonly kdf?: KeystoreKdf;
}

/** Encrypts the operator identity into `<dir>/identity.json` (mode 0600); returns the path. */
export async function writeIdentityKeystore(parameters: WriteIdentityKeystoreParameters): Promise<string> {
  const file = join(parameters.dir, IDENTITY_KEYSTORE_FILE);
  if (!isIdentitySecretKey(parameters.secretKey)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'secretKey',
      reason: 'not a secp256k1 secret key',
    });
  }
  const { address } = identityFromSecretKey(parameters.secretKey);
  const keystore: Partial<IKeystore> = await create(
    parameters.password,
    parameters.secretKey,
    new Uint8Array(0),
    '',
    `Diva operator identity (secp256k1) ${address}`,
    kdfModule(parameters.kdf ?? 'production'),
  );
  delete keystore.pubkey;
  await writeFileAtomic(file, `${JSON.stringify(keystore, null, 2)}\n`, 0o600);
  return file;
}

/**
 * The password in a password file: its text without one trailing newline. `INVALID_PASSWORD_FILE`
 * when it cannot be read or is empty (the message never contains the password).
 */
export async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new OperatorError({ code: 'INVALID_PASSWORD_FILE', file, reason: `cannot read it (${code})` });
  }
  const password = text.replace(/\r?\n$/, '');
  if (password.length === 0)
    throw new OperatorError({ code: 'INVALID_PASSWORD_FILE', file, reason: 'empty' });
  return password;
}

/** Reads, schema-checks and decrypts one keystore; errors name the file, never the content. */
export async function decryptKeystoreFile(
  file: string,
  password: string,
): Promise<{ keystore: IKeystore; secret: Uint8Array }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: `cannot read it (${code})` });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text; the keystore's content stays out of errors.
    throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'not valid JSON' });
  }
  // The first schema error is the most specific one (the library's message lists them all, one
  // per line): one line naming the field, e.g. `crypto.kdf.params.c must be integer`.
  const problems = schemaValidationErrors(json);
  if (problems !== null && problems.length > 0) {
    const first = problems[0]!;
    const field =
      first.instancePath === '' ? '(top level)' : first.instancePath.slice(1).replaceAll('/', '.');
    throw new OperatorError({
      code: 'INVALID_KEYSTORE',
      file,
      reason: `not an EIP-2335 keystore: ${field} ${first.message}`.slice(0, 300),
    });
  }
  const keystore = json as IKeystore;
  let secret: Uint8Array;
  try {
    secret = await decrypt(keystore, password);
  } catch (error) {
    if (error instanceof Error && error.message === 'Invalid password') {
      throw new OperatorError({ code: 'WRONG_KEYSTORE_PASSWORD', file });
    }
    throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'decryption failed' });
  }
  return { keystore, secret };
}

/**
 * Reads the password file and decrypts the keystore with it; a wrong password is
 * `WRONG_KEYSTORE_PASSWORD` naming both files.
 */
export async function decryptKeystoreWithPasswordFile(
  file: string,
  passwordFile: string,
): Promise<{ keystore: IKeystore; secret: Uint8Array }> {
  const password = await readPasswordFile(passwordFile);
  try {
    return await decryptKeystoreFile(file, password);
  } catch (error) {
    if (error instanceof OperatorError && error.code === 'WRONG_KEYSTORE_PASSWORD') {
      throw new OperatorError({ code: 'WRONG_KEYSTORE_PASSWORD', file, passwordFile });
    }
    throw error;
  }
}

/**
 * Decrypts a BLS keystore with its password file: the secret key (`INVALID_KEYSTORE` when the
 * keystore holds no BLS secret key) and the keystore; the decrypted bytes are zeroed.
 */
export async function decryptBlsKeystore(
  file: string,
  passwordFile: string,
): Promise<{ keystore: IKeystore; secretKey: SecretKey }> {
  const { keystore, secret } = await decryptKeystoreWithPasswordFile(file, passwordFile);
  try {
    return { keystore, secretKey: SecretKey.fromBytes(secret) };
  } catch {
    throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'does not hold a BLS secret key' });
  } finally {
    secret.fill(0);
  }
}

export interface LoadIdentityParameters {
  readonly dir: string;
  readonly passwordFile: string;
}

/** Decrypts `<dir>/identity.json`. */
export async function loadIdentity(parameters: LoadIdentityParameters): Promise<OperatorIdentity> {
  const password = await readPasswordFile(parameters.passwordFile);
  const file = join(parameters.dir, IDENTITY_KEYSTORE_FILE);
  const { secret } = await decryptKeystoreFile(file, password);
  if (!isIdentitySecretKey(secret)) {
    secret.fill(0);
    throw new OperatorError({
      code: 'INVALID_KEYSTORE',
      file,
      reason: 'does not hold a secp256k1 secret key',
    });
  }
  const identity = identityFromSecretKey(secret);
  secret.fill(0);
  return identity;
}

/** One key share of this operator, ready for signing. */
export interface LoadedKeyShare {
  readonly groupPublicKey: Uint8Array;
  /** 1-based. */
  readonly shareIndex: number;
  readonly secretShare: SecretKeyShare;
  /** The keystore it came from. */
  readonly file: string;
}

export interface LoadKeySharesParameters {
  readonly dir: string;
  readonly passwordFile: string;
  /** The committees to load this operator's shares of (e.g. a `CommitteeSnapshot`'s `validators`). */
  readonly committees: readonly ValidatorCommittee[];
  /** This operator: its member entry in each committee says which share index to load. */
  readonly self: OperatorAddress;
  /** Keystores decrypted at a time (default 4; PBKDF2 runs on libuv's thread pool). */
  readonly concurrency?: number;
  /**
   * Given, a validator whose share cannot be used (keystore missing, not decrypting, or not matching
   * the committee's public share) is reported here and left out, and the others load; absent, the
   * first such share fails the whole load. A node whose committees come from the chain uses it: the
   * chain may name a share this node lost, and its other validators must still be served.
   */
  readonly onUnusable?: (failure: KeyShareLoadFailure) => void;
}

/** Why one validator's share was not loaded (no key material: the error's short message). */
export interface KeyShareLoadFailure {
  /** The validator's group public key, lower-case `0x` hex. */
  readonly groupPublicKey: `0x${string}`;
  /** The `OperatorError` code (`MISSING_KEY_SHARE`, `WRONG_KEYSTORE_PASSWORD`, ...), or `UNKNOWN`. */
  readonly code: string;
  readonly reason: string;
  /** The keystore concerned, when known. */
  readonly file?: string;
}

/** The failure report of `error`, met while loading the share of `groupPublicKey`. */
export function keyShareLoadFailure(groupPublicKey: Uint8Array, error: unknown): KeyShareLoadFailure {
  const key = prefixed(groupPublicKey);
  if (!isOperatorError(error)) return { groupPublicKey: key, code: 'UNKNOWN', reason: String(error) };
  const file = (error.details as { file?: unknown }).file;
  return {
    groupPublicKey: key,
    code: error.code,
    reason: error.shortMessage,
    ...(typeof file === 'string' ? { file } : {}),
  };
}

/**
 * Decrypts this operator's share of every given committee it belongs to and checks each against
 * the committee's public share (`KEY_SHARE_MISMATCH` naming the file). Committees without `self`
 * are skipped. Returns the shares keyed by the group public key as lower-case `0x` hex.
 * Errors: `INVALID_PASSWORD_FILE`, and unless `onUnusable` is given `MISSING_KEY_SHARE`,
 * `INVALID_KEYSTORE`, `WRONG_KEYSTORE_PASSWORD`.
 */
export async function loadKeyShares(
  parameters: LoadKeySharesParameters,
): Promise<ReadonlyMap<`0x${string}`, LoadedKeyShare>> {
  const self = parameters.self.toLowerCase();
  const password = await readPasswordFile(parameters.passwordFile);
  const jobs: { committee: ValidatorCommittee; shareIndex: number; publicShare: Uint8Array }[] = [];
  for (const committee of parameters.committees) {
    const member = committee.members.find((m) => m.operator === self);
    if (member) jobs.push({ committee, shareIndex: member.shareIndex, publicShare: member.publicShare });
  }
  const result = new Map<`0x${string}`, LoadedKeyShare>();
  const loadOne = async (job: (typeof jobs)[number]): Promise<void> => {
    const { groupPublicKey } = job.committee;
    const file = join(parameters.dir, shareKeystoreFileName(groupPublicKey, job.shareIndex));
    const where = { file, groupPublicKey: prefixed(groupPublicKey), shareIndex: job.shareIndex };
    try {
      await access(file);
    } catch {
      throw new OperatorError({ code: 'MISSING_KEY_SHARE', ...where });
    }
    const decrypted = await decryptKeystoreFile(file, password);
    let secretKey: SecretKey;
    try {
      secretKey = SecretKey.fromBytes(decrypted.secret);
    } catch {
      throw new OperatorError({ code: 'INVALID_KEYSTORE', file, reason: 'does not hold a BLS secret key' });
    } finally {
      decrypted.secret.fill(0);
    }
    // Compressed encodings are canonical: equal bytes iff equal points.
    if (Buffer.compare(secretKey.toPublicKey().bytes, job.publicShare) !== 0) {
      throw new OperatorError({ code: 'KEY_SHARE_MISMATCH', ...where });
    }
    result.set(prefixed(groupPublicKey), {
      groupPublicKey,
      shareIndex: job.shareIndex,
      secretShare: { shareIndex: job.shareIndex, secretKey },
      file,
    });
  };
  const concurrency = Math.max(1, parameters.concurrency ?? 4);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const job = jobs[next++]!;
      try {
        await loadOne(job);
      } catch (error) {
        if (parameters.onUnusable !== undefined && isOperatorError(error)) {
          parameters.onUnusable(keyShareLoadFailure(job.committee.groupPublicKey, error));
          continue;
        }
        failed = true; // the other workers stop after their current keystore
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return result;
}
