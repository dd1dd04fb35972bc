/**
 * Injectable randomness. Every function that needs random bytes takes a `RandomSource`, so tests and
 * simulators can replay a run from a seed. The default is the platform CSPRNG
 * (`crypto.getRandomValues` through @noble/hashes).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

/** Returns `length` uniformly random bytes. Must be a CSPRNG outside tests. */
export type RandomSource = (length: number) => Uint8Array;

export const defaultRandom: RandomSource = (length) => randomBytes(length);

/**
 * A deterministic byte stream (SHA-256 in counter mode over a seed) for tests, simulators and
 * reproducible vectors. Never use it for keys that guard real funds.
 */
export function createSeededRandom(seed: Uint8Array | string): RandomSource {
  const seedBytes = typeof seed === 'string' ? utf8ToBytes(seed) : Uint8Array.from(seed);
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (pool.length === 0) {
        const block = new Uint8Array(seedBytes.length + 8);
        block.set(seedBytes);
        new DataView(block.buffer).setBigUint64(seedBytes.length, BigInt(counter++));
        pool = sha256(block);
      }
      const take = Math.min(pool.length, length - filled);
      out.set(pool.subarray(0, take), filled);
      pool = pool.subarray(take);
      filled += take;
    }
    return out;
  };
}
