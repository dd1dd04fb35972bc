// An operator's identity: a secp256k1 key pair. Its compressed public key is the libp2p peer
// identity, and its address (keccak256 of the uncompressed public key without the 0x04 prefix, last
// 20 bytes, as for any Ethereum account) is the name the cluster file and the contracts use.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';

/** 33-byte compressed secp256k1 public key length. */
export const IDENTITY_PUBLIC_KEY_LENGTH = 33;
/** 32-byte secp256k1 secret key length. */
export const IDENTITY_SECRET_KEY_LENGTH = 32;

export interface OperatorIdentity {
  readonly address: OperatorAddress;
  /** 33-byte compressed secp256k1 public key. */
  readonly publicKey: Uint8Array;
  /** 32-byte secp256k1 secret key (not enumerable: logging or JSON-serialising the identity omits it). */
  readonly secretKey: Uint8Array;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/**
 * The operator address of a secp256k1 public key (33 compressed or 65 uncompressed bytes);
 * `INVALID_OPTION` (`publicKey`) for bytes that are not a point.
 */
export function operatorAddressOf(publicKey: Uint8Array): OperatorAddress {
  let uncompressed: Uint8Array;
  try {
    uncompressed = secp256k1.Point.fromBytes(publicKey).toBytes(false);
  } catch {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'publicKey',
      reason: 'not a secp256k1 public key',
    });
  }
  return `0x${hex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

/** Whether `publicKey` is a valid 33-byte compressed secp256k1 point. */
export function isCompressedSecp256k1PublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== IDENTITY_PUBLIC_KEY_LENGTH) return false;
  try {
    secp256k1.Point.fromBytes(publicKey).assertValidity();
    return true;
  } catch {
    return false;
  }
}

/** Whether `secretKey` is a valid secp256k1 secret key (32 bytes, 0 < k < n). */
export function isIdentitySecretKey(secretKey: Uint8Array): boolean {
  return secretKey.length === IDENTITY_SECRET_KEY_LENGTH && secp256k1.utils.isValidSecretKey(secretKey);
}

/**
 * The identity of a 32-byte secp256k1 secret key (`INVALID_OPTION` otherwise). The secret is a
 * non-enumerable property so that a logger given the whole object cannot print it.
 */
export function identityFromSecretKey(secretKey: Uint8Array): OperatorIdentity {
  if (!isIdentitySecretKey(secretKey)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'secretKey',
      reason: 'not a secp256k1 secret key',
    });
  }
  const publicKey = secp256k1.getPublicKey(secretKey, true);
  const identity = { address: operatorAddressOf(publicKey), publicKey };
  Object.defineProperty(identity, 'secretKey', { value: Uint8Array.from(secretKey), enumerable: false });
  return identity as OperatorIdentity;
}

/** A new random identity (the platform CSPRNG). */
export function generateIdentity(): OperatorIdentity {
  return identityFromSecretKey(secp256k1.utils.randomSecretKey());
}
