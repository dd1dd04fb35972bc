// One consensus message signature (every member signs its vote in every duty), noble against the
// runtime's signer (node:crypto), in this process. Part of bench.ts's figures.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { messageSigner } from '../src/runtime/message-signer.ts';

const round = (x: number) => Number(x.toFixed(3));

/** A consensus message signature (every member signs its vote in every duty): noble vs. OpenSSL. */
export function measureMessageSignature(count: number) {
  const secretKey = sha256(new TextEncoder().encode('bench identity key'));
  const payload = new Uint8Array(240).fill(3);
  const time = (sign: (p: Uint8Array) => Uint8Array) => {
    for (let i = 0; i < 50; i++) sign(payload);
    const start = performance.now();
    for (let i = 0; i < count; i++) sign(payload);
    return round((performance.now() - start) / count);
  };
  return {
    nobleMs: time((p) => secp256k1.sign(p, secretKey)),
    nodeCryptoMs: time(messageSigner(secretKey)),
  };
}
