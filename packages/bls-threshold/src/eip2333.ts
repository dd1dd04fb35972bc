/**
 * Hierarchical key derivation for BLS12-381 (EIP-2333) and the Ethereum wallet path structure
 * (EIP-2334: m / 12381 / 3600 / account / 0 for withdrawal, / 0 / 0 for signing keys).
 * Lamport-based child derivation, HKDF-SHA256 (RFC 5869) from @noble/hashes.
 */
import { hkdf, expand as hkdfExpand, extract as hkdfExtract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { CURVE_ORDER } from './constants.ts';
import { BlsError } from './errors.ts';
import { SecretKey, scalarToBytes } from './keys.ts';

const SALT_PREFIX = utf8ToBytes('BLS-SIG-KEYGEN-SALT-');
const LAMPORT_CHUNKS = 255;

function i2osp(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  return out;
}

function os2ip(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** HKDF_mod_r of EIP-2333 (KeyGen of the BLS draft v4+). */
function hkdfModR(ikm: Uint8Array, keyInfo: Uint8Array = new Uint8Array(0)): bigint {
  const L = 48;
  let salt: Uint8Array = SALT_PREFIX;
  let sk = 0n;
  while (sk === 0n) {
    salt = sha256(salt);
    const prk = hkdfExtract(sha256, concatBytes(ikm, i2osp(0, 1)), salt);
    const okm = hkdfExpand(sha256, prk, concatBytes(keyInfo, i2osp(L, 2)), L);
    sk = os2ip(okm) % CURVE_ORDER;
  }
  return sk;
}

function ikmToLamportSecretKey(ikm: Uint8Array, salt: Uint8Array): Uint8Array {
  return hkdf(sha256, ikm, salt, new Uint8Array(0), 32 * LAMPORT_CHUNKS);
}

/** parent_SK_to_lamport_PK of EIP-2333: the compressed Lamport public key. */
export function parentToCompressedLamportPublicKey(parent: SecretKey, index: number): Uint8Array {
  const salt = i2osp(index, 4);
  const ikm = scalarToBytes(parent.toScalar());
  const notIkm = ikm.map((b) => b ^ 0xff);
  const lamport0 = ikmToLamportSecretKey(ikm, salt);
  const lamport1 = ikmToLamportSecretKey(notIkm, salt);
  const pk = new Uint8Array(2 * LAMPORT_CHUNKS * 32);
  for (let i = 0; i < LAMPORT_CHUNKS; i++) {
    pk.set(sha256(lamport0.subarray(i * 32, i * 32 + 32)), i * 32);
    pk.set(sha256(lamport1.subarray(i * 32, i * 32 + 32)), (LAMPORT_CHUNKS + i) * 32);
  }
  ikm.fill(0);
  notIkm.fill(0);
  lamport0.fill(0);
  lamport1.fill(0);
  return sha256(pk);
}

function checkIndex(index: number, path?: string): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new BlsError({
      code: 'INVALID_PATH',
      path: path ?? String(index),
      reason: 'index must be an integer in 0..2^32-1',
    });
  }
}

/** derive_master_SK: the master key of a seed of at least 32 bytes (e.g. a BIP-39 seed). */
export function deriveMasterSecretKey(seed: Uint8Array): SecretKey {
  if (!(seed instanceof Uint8Array))
    throw new BlsError({ code: 'INVALID_SEED', reason: 'expected a Uint8Array' });
  if (seed.length < 32) {
    throw new BlsError({ code: 'INVALID_SEED', reason: `at least 32 bytes required, got ${seed.length}` });
  }
  return SecretKey.fromScalar(hkdfModR(seed));
}

/** derive_child_SK: child `index` (0..2^32-1) of a parent key. */
export function deriveChildSecretKey(parent: SecretKey, index: number): SecretKey {
  checkIndex(index);
  return SecretKey.fromScalar(hkdfModR(parentToCompressedLamportPublicKey(parent, index)));
}

/** Parses an EIP-2334 path such as `m/12381/3600/0/0/0` into its indices. */
export function parseDerivationPath(path: string): number[] {
  if (typeof path !== 'string')
    throw new BlsError({ code: 'INVALID_PATH', path: String(path), reason: 'not a string' });
  const parts = path.split('/');
  if (parts[0] !== 'm') throw new BlsError({ code: 'INVALID_PATH', path, reason: 'must start with "m"' });
  return parts.slice(1).map((part) => {
    if (!/^(0|[1-9]\d*)$/.test(part)) {
      throw new BlsError({ code: 'INVALID_PATH', path, reason: `"${part}" is not a decimal index` });
    }
    const index = Number(part);
    checkIndex(index, path);
    return index;
  });
}

/** The secret key at an EIP-2334 path below the seed's master key. */
export function deriveSecretKeyFromPath(seed: Uint8Array, path: string): SecretKey {
  const indices = parseDerivationPath(path);
  let key = deriveMasterSecretKey(seed);
  for (const index of indices) key = deriveChildSecretKey(key, index);
  return key;
}

/** EIP-2334 signing-key path of validator `account`: `m/12381/3600/<account>/0/0`. */
export function signingKeyPath(account: number): string {
  checkIndex(account);
  return `m/12381/3600/${account}/0/0`;
}

/** EIP-2334 withdrawal-key path of validator `account`: `m/12381/3600/<account>/0`. */
export function withdrawalKeyPath(account: number): string {
  checkIndex(account);
  return `m/12381/3600/${account}/0`;
}
