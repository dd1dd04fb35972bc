// Signing consensus messages with the operator's secp256k1 identity key: ECDSA over sha256(payload),
// 64 bytes r || s with a low s, exactly what noble's `secp256k1.sign(payload, key)` produces and its
// `verify` accepts (noble's nonce is deterministic, OpenSSL's random: both are valid signatures).
// Every member signs its vote in every duty, so this is on the hot path: OpenSSL (node:crypto) signs
// in about half noble's time here (`messageSignature` in the bench). Noble stays the fallback
// for a Node built without the curve. The key object is built once per identity key.
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** The order of secp256k1's group. */
const ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_ORDER = ORDER >> 1n;

const signers = new WeakMap<Uint8Array, (payload: Uint8Array) => Uint8Array>();

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

function bigFrom(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Turns s into n - s when s is in the upper half (both verify; noble accepts only the lower). */
function lowS(signature: Uint8Array): Uint8Array {
  const s = bigFrom(signature.subarray(32));
  if (s <= HALF_ORDER) return signature;
  const out = Uint8Array.from(signature);
  out.set(Buffer.from((ORDER - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

function openSslKey(secretKey: Uint8Array): KeyObject | undefined {
  try {
    const pub = secp256k1.getPublicKey(secretKey, false);
    return createPrivateKey({
      key: {
        kty: 'EC',
        crv: 'secp256k1',
        d: base64url(secretKey),
        x: base64url(pub.subarray(1, 33)),
        y: base64url(pub.subarray(33)),
      },
      format: 'jwk',
    });
  } catch {
    return undefined; // no secp256k1 in this Node's OpenSSL: noble below
  }
}

/** The message signer of `secretKey` (the same function for the same key object). */
export function messageSigner(secretKey: Uint8Array): (payload: Uint8Array) => Uint8Array {
  const known = signers.get(secretKey);
  if (known !== undefined) return known;
  const key = openSslKey(secretKey);
  const signer =
    key === undefined
      ? (payload: Uint8Array) => secp256k1.sign(payload, secretKey)
      : (payload: Uint8Array) =>
          lowS(new Uint8Array(sign('sha256', payload, { key, dsaEncoding: 'ieee-p1363' })));
  signers.set(secretKey, signer);
  return signer;
}
