/**
 * Leader order: a permutation of the committee drawn from sha256(instance || seed), so leaders rotate
 * per round, differ per duty, and cannot be known before the seed (an earlier epoch's RANDAO mix) is.
 * Members excluded as proven equivocators are left out of it (all of them excluded: none is).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';

/** The last order computed: every member of a committee asks for the same one (the simulator runs 16). */
let last:
  | {
      n: number;
      instance: Uint8Array;
      seed: Uint8Array;
      excluded: readonly number[];
      order: readonly number[];
    }
  | undefined;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function leaderOrder(
  n: number,
  instance: Uint8Array,
  seed: Uint8Array,
  excluded: readonly number[] = [],
): number[] {
  return [...sharedLeaderOrder(n, instance, seed, excluded)];
}

const sameMembers = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((m, i) => m === b[i]);

/** The order, shared with other callers for the same duty (not to be modified). */
export function sharedLeaderOrder(
  n: number,
  instance: Uint8Array,
  seed: Uint8Array,
  excluded: readonly number[] = [],
): readonly number[] {
  if (
    last &&
    last.n === n &&
    sameBytes(last.instance, instance) &&
    sameBytes(last.seed, seed) &&
    sameMembers(last.excluded, excluded)
  )
    return last.order;
  const full = computeOrder(n, instance, seed);
  const kept = excluded.length === 0 ? full : full.filter((m) => !excluded.includes(m));
  const order = kept.length > 0 ? kept : full;
  last = {
    n,
    instance: new Uint8Array(instance),
    seed: new Uint8Array(seed),
    excluded: [...excluded],
    order,
  };
  return order;
}

function computeOrder(n: number, instance: Uint8Array, seed: Uint8Array): number[] {
  const order = Array.from({ length: n }, (_, i) => i + 1);
  const base = sha256(concatBytes(instance, seed));
  // Random words: big-endian u32s of sha256(base || counter) for counter = 0, 1, ...
  const input = new Uint8Array(base.length + 4);
  input.set(base);
  let counter = 0;
  let pool = new Uint8Array(0);
  let at = 0;
  const next32 = (): number => {
    if (at + 4 > pool.length) {
      input[32] = counter >>> 24;
      input[33] = counter >>> 16;
      input[34] = counter >>> 8;
      input[35] = counter;
      counter++;
      pool = sha256(input);
      at = 0;
    }
    const v = ((pool[at]! << 24) | (pool[at + 1]! << 16) | (pool[at + 2]! << 8) | pool[at + 3]!) >>> 0;
    at += 4;
    return v;
  };
  // Fisher-Yates with rejection sampling (no modulo bias).
  for (let i = n - 1; i > 0; i--) {
    const bound = i + 1;
    const limit = Math.floor(0x1_0000_0000 / bound) * bound;
    let x = next32();
    while (x >= limit) x = next32();
    const j = x % bound;
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}

/** Leader of round r (1-based) given the order. */
export function leaderOf(order: readonly number[], round: number): number {
  return order[(round - 1) % order.length]!;
}
