// Figures of bench.ts measured beside the committee runs: one consensus message signature (every
// member signs its vote in every duty), noble against the runtime's signer (node:crypto); and the
// devnet's attestation effectiveness as the last end-to-end run measured it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/**
 * The devnet's attestation effectiveness (included / expected) as the 20-node end-to-end test on
 * Lodestar last measured it on this checkout (apps/node/.test-results/e2e-figures.json): a devnet
 * takes ten minutes, so the bench reports that run rather than starting one.
 */
export function devnetEffectiveness() {
  const file = fileURLToPath(new URL('../../../apps/node/.test-results/e2e-figures.json', import.meta.url));
  if (!existsSync(file)) {
    return { measured: false, reason: 'no e2e run on this checkout: apps/node/test/e2e/network.test.ts' };
  }
  const figures = JSON.parse(readFileSync(file, 'utf8')) as {
    attestationEffectiveness: { included: number; expected: number };
  };
  const { included, expected } = figures.attestationEffectiveness;
  return {
    measured: true,
    at: statSync(file).mtime.toISOString(),
    included,
    expected,
    effectiveness: round(included / expected),
    goal: 0.99,
    ...figures,
  };
}
