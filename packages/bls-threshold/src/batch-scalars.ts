/**
 * Random 64-bit scalars for random-linear-combination batch verification. A forged set passes a
 * batch only if the forger predicts the scalars; with 64 uniformly random bits the chance is 2^-64
 * per attempt, which is the figure used by the Ethereum clients' batch verifiers.
 */
import type { RandomSource } from './random.ts';

export function randomBatchScalars(count: number, random: RandomSource): bigint[] {
  const bytes = random(count * 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<bigint>(count);
  // The first weight can be 1 without loss: a batch whose only fault is item 0 fails outright, and
  // any other fault must match a random weight. It saves one scalar multiplication per group.
  if (count > 0) out[0] = 1n;
  for (let i = 1; i < count; i++) {
    const s = view.getBigUint64(i * 8);
    // Zero would drop a set from the check; map it to 1 (probability 2^-64 anyway).
    out[i] = s === 0n ? 1n : s;
  }
  return out;
}
