/**
 * Stand-ins for the simulator: a keyed-hash "threshold scheme" and message authentication. Inside a
 * simulation they have the properties the protocols rely on (only member j can produce j's partial,
 * a combined signature needs t distinct valid partials on one root), at a cost of microseconds
 * instead of the milliseconds of BLS. They are not cryptography: real deployments
 * plug in threshold BLS (one test suite runs the protocols on @diva-dvt/bls-threshold).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, bytesToHex as hex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { MessageAuthenticator, PartialScheme, SignGuard, ValueType } from '../types.ts';

export type SimPartial = Uint8Array;
export type SimSignature = Uint8Array;

function memberKey(domain: string, seed: number, member: number): Uint8Array {
  return sha256(utf8ToBytes(`${domain}/${seed}/${member}`));
}

const tag = (key: Uint8Array, data: Uint8Array) => sha256(concatBytes(key, data));
function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Work shared by all members of one simulated instance: keys, and memoized partials and message tags
 * (every member checks the same messages; real crypto would not share, the stand-in may).
 */
export interface SimCache {
  /** Keyed by member and the root's first 4 bytes; entries keep the root to resolve collisions. */
  readonly partials: Map<number, { root: Uint8Array; partial: Uint8Array }[]>;
  readonly tags: WeakMap<ArrayBufferLike, Map<string, Uint8Array>>;
  readonly keys: Map<string, Uint8Array[]>;
}

export function createSimCache(): SimCache {
  return { partials: new Map(), tags: new WeakMap(), keys: new Map() };
}

function keysFor(cache: SimCache | undefined, domain: string, n: number, seed: number): Uint8Array[] {
  const id = `${domain}/${seed}/${n}`;
  const known = cache?.keys.get(id);
  if (known) return known;
  const keys = Array.from({ length: n + 1 }, (_, j) => memberKey(domain, seed, j));
  cache?.keys.set(id, keys);
  return keys;
}

export function createSimScheme(
  n: number,
  t: number,
  seed: number,
  self: number,
  cache?: SimCache,
): PartialScheme<SimPartial, SimSignature> {
  const keys = keysFor(cache, 'sim-partial', n, seed);
  const partialOf = (member: number, root: Uint8Array) => {
    if (!cache) return tag(keys[member]!, root);
    const id = member * 0x1_0000_0000 + new DataView(root.buffer, root.byteOffset, 4).getUint32(0);
    let bucket = cache.partials.get(id);
    if (!bucket) {
      bucket = [];
      cache.partials.set(id, bucket);
    }
    for (const e of bucket) if (equal(e.root, root)) return e.partial;
    const partial = tag(keys[member]!, root);
    bucket.push({ root: Uint8Array.from(root), partial });
    return partial;
  };
  return {
    signPartial: (root) => partialOf(self, root),
    verifyPartial: (member, root, p) =>
      member >= 1 && member <= n && p.length === 32 && equal(p, partialOf(member, root)),
    combine: (root, partials) => {
      const chosen = [...partials].sort((a, b) => a.member - b.member).slice(0, t);
      const members = new Uint8Array(chosen.map((c) => c.member));
      return concatBytes(root, Uint8Array.of(chosen.length), members, ...chosen.map((c) => c.partial));
    },
    verifyCombined: (root, s) => {
      if (s.length < 33 || !equal(s.subarray(0, 32), root)) return false;
      const count = s[32]!;
      if (count < t || s.length !== 33 + count + 32 * count) return false;
      const members = s.subarray(33, 33 + count);
      if (new Set(members).size !== count) return false;
      return [...members].every(
        (m, i) =>
          m >= 1 && m <= n && equal(s.subarray(33 + count + 32 * i, 65 + count + 32 * i), partialOf(m, root)),
      );
    },
    encodePartial: (p) => p,
    decodePartial: (b) => {
      if (b.length !== 32) throw new Error('partial must be 32 bytes');
      return Uint8Array.from(b);
    },
    encodeSignature: (s) => s,
    decodeSignature: (b) => Uint8Array.from(b),
  };
}

export function createSimAuth(n: number, seed: number, self: number, cache?: SimCache): MessageAuthenticator {
  const keys = keysFor(cache, 'sim-auth', n, seed);
  const tagOf = (member: number, payload: Uint8Array) => {
    if (!cache) return tag(keys[member]!, payload).subarray(0, 16);
    // Memoized per message buffer: all receivers of one message check the same bytes.
    let byBuffer = cache.tags.get(payload.buffer);
    if (!byBuffer) {
      byBuffer = new Map();
      cache.tags.set(payload.buffer, byBuffer);
    }
    const id = `${member}/${payload.byteOffset}/${payload.length}`;
    let found = byBuffer.get(id);
    if (!found) {
      found = tag(keys[member]!, payload).subarray(0, 16);
      byBuffer.set(id, found);
    }
    return found;
  };
  return {
    sign: (payload) => tag(keys[self]!, payload).subarray(0, 16),
    verify: (member, payload, sig) =>
      member >= 1 && member <= n && sig.length === 16 && equal(sig, tagOf(member, payload)),
  };
}

/** 32-byte values; the signing root is the value's SHA-256. */
export const simValueType: ValueType<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => {
    if (b.length !== 32) throw new Error('value must be 32 bytes');
    return Uint8Array.from(b);
  },
  isValid: (v) => v.length === 32,
  signingRoot: (v) => sha256(v),
};

/** A durable guard that survives the member's restarts (it lives outside the instance). */
export function createMemoryGuard(): SignGuard & { readonly signed: Map<string, string> } {
  const signed = new Map<string, string>();
  return {
    signed,
    allow(instance, root) {
      const k = hex(instance);
      const r = hex(root);
      const before = signed.get(k);
      if (before !== undefined && before !== r) return false;
      signed.set(k, r);
      return true;
    },
  };
}

/** The deliberately broken guard used to prove the safety test can fail: it allows everything. */
export const brokenGuard: SignGuard = { allow: () => true };
