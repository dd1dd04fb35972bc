// The consensus message signer (src/runtime/message-signer.ts): OpenSSL's ECDSA over sha256 of the
// payload, normalised to a low s, must be what noble verifies (peers verify relayed messages and
// evidence with noble), for any key and payload.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { messageSigner } from '../src/runtime/message-signer.ts';

const HALF_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n >> 1n;

describe('messageSigner', () => {
  it('signs so that noble verifies, always with a low s, for 40 keys and payloads', () => {
    for (let i = 0; i < 40; i++) {
      const secretKey = sha256(new Uint8Array([1, i]));
      const publicKey = secp256k1.getPublicKey(secretKey);
      const payload = sha256(new Uint8Array([2, i])).subarray(0, 8 + i);
      const signature = messageSigner(secretKey)(payload);
      expect(signature.length).toBe(64);
      expect(BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`) <= HALF_ORDER).toBe(true);
      expect(secp256k1.verify(signature, payload, publicKey)).toBe(true);
      const tampered = Uint8Array.from(payload);
      tampered[0]! ^= 1;
      expect(secp256k1.verify(signature, tampered, publicKey)).toBe(false);
    }
  });

  it('builds the signer once per key object', () => {
    const secretKey = sha256(new Uint8Array([3]));
    expect(messageSigner(secretKey)).toBe(messageSigner(secretKey));
  });
});
