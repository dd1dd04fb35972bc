/**
 * Share encryption: X25519 + HKDF-SHA256 + ChaCha20-Poly1305. A dealer makes one ephemeral X25519
 * key per dealing; the key for recipient j is HKDF(ikm = X25519(eph, pk_j), salt = ceremonyId,
 * info = tag || dealer || recipient), so every (dealing, recipient) pair has its own key and the
 * all-zero nonce is safe. The associated data binds the ciphertext to the ceremony, the dealer and
 * the recipient: a ciphertext moved to another context fails to open.
 */

import type { RandomSource } from '@diva-dvt/bls-threshold';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DkgError } from './errors.ts';

const INFO = utf8ToBytes('diva-dkg/share-encryption/v1');
/** The reason of the `INVALID_KEY` error both key agreements throw for a public key they refuse. */
export const LOW_ORDER = 'low-order or malformed X25519 public key';

/**
 * X25519 key agreement (RFC 7748). The default is noble's pure-TypeScript implementation; a runtime
 * may inject a native one (node:crypto) with identical results, since a ceremony does one agreement
 * per recipient when dealing and one per dealer when opening.
 */
export interface KeyAgreement {
  publicKey(secretKey: Uint8Array): Uint8Array;
  /** Throws `DkgError` `INVALID_KEY` on a low-order public key (an all-zero shared secret). */
  sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array;
}

export const nobleX25519: KeyAgreement = {
  publicKey: (secretKey) => x25519.getPublicKey(secretKey),
  sharedSecret: (secretKey, publicKey) => {
    try {
      return x25519.getSharedSecret(secretKey, publicKey);
    } catch (err) {
      throw new DkgError({ code: 'INVALID_KEY', field: 'publicKey', reason: LOW_ORDER }, { cause: err });
    }
  },
};
const NONCE = new Uint8Array(12);
export const ENCRYPTION_KEY_LENGTH = 32;
export const TAG_LENGTH = 16;

export interface EncryptionKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function createEncryptionKeyPair(random: RandomSource): EncryptionKeyPair {
  const secretKey = random(32);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function encryptionPublicKey(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey);
}

function context(ceremonyId: Uint8Array, dealer: Uint8Array, recipient: Uint8Array): Uint8Array {
  return concatBytes(ceremonyId, dealer, recipient);
}

function deriveKey(
  shared: Uint8Array,
  ceremonyId: Uint8Array,
  dealer: Uint8Array,
  recipient: Uint8Array,
): Uint8Array {
  return hkdf(sha256, shared, ceremonyId, concatBytes(INFO, dealer, recipient), 32);
}

export interface ShareCipherContext {
  readonly ceremonyId: Uint8Array;
  /** Dealer's operator address. */
  readonly dealer: Uint8Array;
  /** Recipient's operator address. */
  readonly recipient: Uint8Array;
}

/** Encrypts `plaintext` for the recipient's X25519 public key under the dealing's ephemeral key. */
export function encryptShare(
  ephemeralSecretKey: Uint8Array,
  recipientPublicKey: Uint8Array,
  plaintext: Uint8Array,
  ctx: ShareCipherContext,
  keyAgreement: KeyAgreement = nobleX25519,
): Uint8Array {
  const shared = keyAgreement.sharedSecret(ephemeralSecretKey, recipientPublicKey);
  const key = deriveKey(shared, ctx.ceremonyId, ctx.dealer, ctx.recipient);
  return chacha20poly1305(key, NONCE, context(ctx.ceremonyId, ctx.dealer, ctx.recipient)).encrypt(plaintext);
}

/** Opens a share ciphertext with the recipient's X25519 secret key; undefined if it does not open. */
export function decryptShare(
  recipientSecretKey: Uint8Array,
  ephemeralPublicKey: Uint8Array,
  ciphertext: Uint8Array,
  ctx: ShareCipherContext,
  keyAgreement: KeyAgreement = nobleX25519,
): Uint8Array | undefined {
  try {
    const shared = keyAgreement.sharedSecret(recipientSecretKey, ephemeralPublicKey);
    const key = deriveKey(shared, ctx.ceremonyId, ctx.dealer, ctx.recipient);
    return chacha20poly1305(key, NONCE, context(ctx.ceremonyId, ctx.dealer, ctx.recipient)).decrypt(
      ciphertext,
    );
  } catch {
    return undefined;
  }
}
