/** A small, fast, seeded PRNG (xoshiro128**) for the simulator: reproducible runs from a seed. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  /** Standard normal (Box-Muller: two draws of `next`). */
  normal(): number;
  /** Advances the generator as `draws` calls of `next` would (`skip(2)` for an unused `normal()`). */
  skip(draws: number): void;
  bytes(length: number): Uint8Array;
}

export function createRng(seed: number): Rng {
  let s0 = (seed ^ 0x9e3779b9) >>> 0;
  let s1 = (seed * 0x85ebca6b) >>> 0 || 1;
  let s2 = (seed * 0xc2b2ae35) >>> 0 || 2;
  let s3 = (seed + 0x27d4eb2f) >>> 0 || 3;
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
  const nextU32 = () => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  for (let i = 0; i < 8; i++) nextU32();
  const rng: Rng = {
    next: () => nextU32() / 0x1_0000_0000,
    int: (max) => Math.floor(rng.next() * max),
    skip: (draws) => {
      for (let i = 0; i < draws; i++) nextU32();
    },
    normal: () => {
      const u = Math.max(rng.next(), 1e-12);
      const v = rng.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    bytes: (length) => {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i += 4) {
        const x = nextU32();
        for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (x >>> (8 * k)) & 0xff;
      }
      return out;
    },
  };
  return rng;
}
