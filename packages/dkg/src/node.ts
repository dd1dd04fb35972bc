/**
 * Node.js accelerators an operator runtime injects into the DKG: X25519 key agreement and secp256k1
 * signature verification through node:crypto (OpenSSL). Import them from `@diva-dvt/dkg/node`; the
 * main entry point stays free of Node built-ins. Both give exactly the results of the package's pure
 * defaults (`nobleX25519`, `createSecp256k1Verifier`), which the tests check on random and hostile
 * input; they are only faster (OpenSSL's ECDSA verification is about 4x noble's here).
 */
import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject, verify } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { type KeyAgreement, LOW_ORDER } from './encryption.ts';
import { DkgError } from './errors.ts';
import {
  addressOfPublicKey,
  addressToHex,
  type CachingSignatureVerifier,
  isLowS,
  type OperatorAddressBytes,
  recoverPoint,
  SIGNATURE_LENGTH,
} from './identity.ts';

// Fixed DER prefixes around raw keys: X25519 PKCS#8 / SPKI (RFC 8410), secp256k1 SPKI (RFC 5480,
// uncompressed point).
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const SECP256K1_SPKI_PREFIX = Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex');

const x25519PrivateKey = (sk: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, sk]), format: 'der', type: 'pkcs8' });

/** X25519 through OpenSSL; byte-identical to `nobleX25519`, rejects low-order public keys the same way. */
export const nodeX25519: KeyAgreement = {
  publicKey(secretKey) {
    const der = createPublicKey(x25519PrivateKey(secretKey)).export({ format: 'der', type: 'spki' });
    return Uint8Array.from(der.subarray(X25519_SPKI_PREFIX.length));
  },
  sharedSecret(secretKey, publicKey) {
    let shared: Buffer;
    try {
      const pub = createPublicKey({
        key: Buffer.concat([X25519_SPKI_PREFIX, publicKey]),
        format: 'der',
        type: 'spki',
      });
      shared = diffieHellman({ privateKey: x25519PrivateKey(secretKey), publicKey: pub });
    } catch (err) {
      throw new DkgError({ code: 'INVALID_KEY', field: 'publicKey', reason: LOW_ORDER }, { cause: err });
    }
    if (shared.every((b) => b === 0)) {
      throw new DkgError({ code: 'INVALID_KEY', field: 'publicKey', reason: LOW_ORDER });
    }
    return Uint8Array.from(shared);
  },
};

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The caching verifier of `createSecp256k1Verifier` with OpenSSL doing the ECDSA check: a signer's
 * first signature is checked by recovery (noble; OpenSSL cannot recover keys) unless its key was
 * registered with `addKnownKey` (e.g. from its libp2p peer id or the operator registry); every later
 * one by `crypto.verify('sha256', ...)` against the kept key. Accepts exactly what
 * `secp256k1Verifier` accepts: 65 bytes r || s || v, v in {27, 28}, 0 < r < n, 0 < s <= n/2.
 */
export function createNodeSecp256k1Verifier(): CachingSignatureVerifier {
  const keys = new Map<string, KeyObject>();
  const remember = (address: OperatorAddressBytes, uncompressed: Uint8Array) =>
    keys.set(
      addressToHex(address),
      createPublicKey({
        key: Buffer.concat([SECP256K1_SPKI_PREFIX, uncompressed]),
        format: 'der',
        type: 'spki',
      }),
    );
  return {
    addKnownKey(address, uncompressedPublicKey) {
      if (address.length !== 20 || uncompressedPublicKey.length !== 65 || uncompressedPublicKey[0] !== 4) {
        return false;
      }
      try {
        if (!sameBytes(addressOfPublicKey(uncompressedPublicKey), address)) return false;
        remember(address, uncompressedPublicKey); // OpenSSL rejects a point off the curve here
        return true;
      } catch {
        return false;
      }
    },
    verify(address, message, signature) {
      if (address.length !== 20 || signature.length !== SIGNATURE_LENGTH) return false;
      const v = signature[64]!;
      if ((v !== 27 && v !== 28) || !isLowS(signature)) return false;
      const key = keys.get(addressToHex(address));
      if (!key) {
        const point = recoverPoint(sha256(message), signature);
        if (!point) return false;
        const bytes = point.toBytes(false);
        if (!sameBytes(addressOfPublicKey(bytes), address)) return false;
        remember(address, bytes);
        return true;
      }
      try {
        // r || s as IEEE P1363; OpenSSL rejects r or s outside [1, n - 1].
        return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature.subarray(0, 64));
      } catch {
        return false;
      }
    },
  };
}
