// X25519 through node:crypto (OpenSSL), the native key agreement an operator runtime injects into
// the DKG. Raw 32-byte keys are wrapped in their fixed PKCS#8 / SPKI DER prefixes (RFC 8410).
import { createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import type { KeyAgreement } from '../../src/index.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

const privateKey = (sk: Uint8Array) =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, sk]), format: 'der', type: 'pkcs8' });

export const nodeX25519: KeyAgreement = {
  publicKey(secretKey) {
    const der = createPublicKey(privateKey(secretKey)).export({ format: 'der', type: 'spki' });
    return Uint8Array.from(der.subarray(SPKI_PREFIX.length));
  },
  sharedSecret(secretKey, publicKey) {
    const pub = createPublicKey({
      key: Buffer.concat([SPKI_PREFIX, publicKey]),
      format: 'der',
      type: 'spki',
    });
    const shared = diffieHellman({ privateKey: privateKey(secretKey), publicKey: pub });
    if (shared.every((b) => b === 0)) throw new Error('low-order public key');
    return Uint8Array.from(shared);
  },
};
