/**
 * Stand-ins for the simulator: a keyed "threshold scheme" and message authentication that cost a
 * fraction of a microsecond, so the simulator measures the protocols rather than hashing. Inside a
 * simulation they have the properties the protocols rely on: member j's partial on a root and its
 * message tags come from j's key and cover every byte, so corrupted, garbage or misattributed
 * partials and messages fail to verify (and seeing partials or tags does not reveal a key by
 * inversion), and a combined signature needs t distinct valid partials on
 * one root. The simulated adversaries never try to forge another member's key (that is what real
 * cryptography rules out). They are not cryptography: real deployments plug in threshold BLS and
 * operator keys (one test suite runs both protocols on @diva-dvt/bls-threshold).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { hex } from '../core.ts';
import type { MessageAuthenticator, PartialScheme, SignGuard, ValueType } from '../types.ts';

export type SimPartial = Uint8Array;
export type SimSignature = Uint8Array;

/** A member's 32-byte key for one domain, from the run's seed. */
function memberKey(domain: string, seed: number, member: number): Uint8Array {
  return sha256(utf8ToBytes(`${domain}/${seed}/${member}`));
}

/**
 * A keyed tag of `data`: 4 (or 8) 32-bit lanes, each a multiply-rotate hash over every byte seeded by
 * one word of the key, with a final avalanche. Any change of data or key changes every lane with
 * overwhelming probability. Not a MAC against an adversary that computes; see the module comment.
 */
function keyedTag(key: Uint8Array, data: Uint8Array, words: 4 | 8): Uint8Array {
  const out = new Uint8Array(4 * words);
  tagInto(key, 0, data, out, 0);
  if (words === 8) tagInto(key, 16, data, out, 16);
  return out;
}

const word = (b: Uint8Array, i: number) => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
function avalanche(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
function put(out: Uint8Array, at: number, x: number): void {
  out[at] = x >>> 24;
  out[at + 1] = x >>> 16;
  out[at + 2] = x >>> 8;
  out[at + 3] = x;
}

/** Four lanes seeded by key[keyAt..keyAt+16), written to out[outAt..outAt+16). */
function tagInto(key: Uint8Array, keyAt: number, data: Uint8Array, out: Uint8Array, outAt: number): void {
  const length = data.length;
  let h0 = word(key, keyAt) ^ length;
  let h1 = word(key, keyAt + 4) ^ length;
  let h2 = word(key, keyAt + 8) ^ length;
  let h3 = word(key, keyAt + 12) ^ length;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const w = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    h0 = Math.imul(h0 ^ w, 0x9e3779b1);
    h0 = (h0 << 13) | (h0 >>> 19);
    h1 = Math.imul(h1 ^ w, 0x85ebca77);
    h1 = (h1 << 15) | (h1 >>> 17);
    h2 = Math.imul(h2 ^ w, 0xc2b2ae3d);
    h2 = (h2 << 17) | (h2 >>> 15);
    h3 = Math.imul(h3 ^ w, 0x27d4eb2f);
    h3 = (h3 << 19) | (h3 >>> 13);
  }
  for (; i < length; i++) {
    const b = data[i]!;
    h0 = Math.imul(h0 ^ b, 0x9e3779b1);
    h1 = Math.imul(h1 ^ b, 0x85ebca77);
    h2 = Math.imul(h2 ^ b, 0xc2b2ae3d);
    h3 = Math.imul(h3 ^ b, 0x27d4eb2f);
  }
  put(out, outAt, avalanche(h0));
  put(out, outAt + 4, avalanche(h1));
  put(out, outAt + 8, avalanche(h2));
  put(out, outAt + 12, avalanche(h3));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const keyCache = new Map<string, Uint8Array[]>();
/** Keys of members 0..n for one domain and seed (kept per process: simulations reuse seeds). */
function keysFor(domain: string, n: number, seed: number): Uint8Array[] {
  const id = `${domain}/${seed}/${n}`;
  let keys = keyCache.get(id);
  if (!keys) {
    keys = Array.from({ length: n + 1 }, (_, j) => memberKey(domain, seed, j));
    if (keyCache.size > 1024) keyCache.clear();
    keyCache.set(id, keys);
  }
  return keys;
}

/**
 * Partials of every member on the root seen last, shared by all schemes of one committee (n, seed):
 * in a simulated instance nearly every partial is on one root and each is checked by 15 members.
 */
interface PartialMemo {
  root: Uint8Array | undefined;
  partials: (Uint8Array | undefined)[];
  /** Combined signatures (by object) already verified, with their root. */
  readonly verified: WeakMap<Uint8Array, Uint8Array>;
}
const memos = new WeakMap<Uint8Array[], PartialMemo>();

/**
 * Options of the stand-ins. `immutableInputs`: the caller never changes bytes it has passed in (the
 * simulator's case), so results may be remembered by object: combined signatures already verified,
 * message tags per buffer. Off by default, so tests that flip bits in place are judged afresh.
 */
export interface SimCryptoOptions {
  readonly immutableInputs?: boolean;
}

export function createSimScheme(
  n: number,
  t: number,
  seed: number,
  self: number,
  options: SimCryptoOptions = {},
): PartialScheme<SimPartial, SimSignature> {
  const remember = options.immutableInputs === true;
  const keys = keysFor('sim-partial', n, seed);
  let memo = memos.get(keys);
  if (!memo) {
    memo = { root: undefined, partials: [], verified: new WeakMap() };
    memos.set(keys, memo);
  }
  const shared = memo;
  /** Member's partial on a root: a 256-bit tag of the root under the member's key. */
  /** Every member's partial on `root`, filled lazily (one shared table per committee and root). */
  const partialsOn = (root: Uint8Array): (Uint8Array | undefined)[] => {
    if (!shared.root || !equal(shared.root, root)) {
      shared.root = new Uint8Array(root);
      shared.partials = [];
    }
    return shared.partials;
  };
  /** Member's partial on a root: a 256-bit tag of the root under the member's key. */
  const partialOf = (member: number, root: Uint8Array, table = partialsOn(root)): Uint8Array => {
    let p = table[member];
    if (!p) {
      p = keyedTag(keys[member]!, root, 8);
      table[member] = p;
    }
    return p;
  };
  return {
    signPartial: (root) => partialOf(self, root),
    verifyPartial: (member, root, p) =>
      member >= 1 && member <= n && p.length === 32 && equal(p, partialOf(member, root)),
    combine: (root, partials) => {
      // root | count | member indices | partials, in member order (insertion sort: t is small).
      const chosen: { member: number; partial: Uint8Array }[] = [];
      for (const p of partials) {
        let i = chosen.length;
        chosen.push(p);
        while (i > 0 && chosen[i - 1]!.member > p.member) {
          chosen[i] = chosen[i - 1]!;
          i--;
        }
        chosen[i] = p;
      }
      const count = Math.min(t, chosen.length);
      const out = new Uint8Array(33 + 33 * count);
      for (let k = 0; k < 32; k++) out[k] = root[k] ?? 0;
      out[32] = count;
      for (let i = 0; i < count; i++) {
        out[33 + i] = chosen[i]!.member;
        const p = chosen[i]!.partial;
        const at = 33 + count + 32 * i;
        for (let k = 0; k < 32; k++) out[at + k] = p[k] ?? 0;
      }
      return out;
    },
    verifyCombined: (root, s) => {
      const before = remember ? shared.verified.get(s) : undefined;
      if (before && equal(before, root)) return true;
      if (s.length < 33 || root.length !== 32) return false;
      for (let k = 0; k < 32; k++) if (s[k] !== root[k]) return false;
      const count = s[32]!;
      if (count < t || s.length !== 33 + count + 32 * count) return false;
      const table = partialsOn(root);
      let ok = true;
      for (let i = 0; i < count && ok; i++) {
        const m = s[33 + i]!;
        if (m < 1 || m > n || (i > 0 && m <= s[32 + i]!))
          ok = false; // strictly increasing: distinct
        else {
          const p = partialOf(m, root, table);
          const at = 33 + count + 32 * i;
          for (let k = 0; k < 32; k++) if (s[at + k] !== p[k]) ok = false;
        }
      }
      if (ok && remember) shared.verified.set(s, new Uint8Array(root));
      return ok;
    },
    encodePartial: (p) => p,
    decodePartial: (b) => {
      if (b.length !== 32) throw new Error('partial must be 32 bytes');
      return b;
    },
    encodeSignature: (s) => s,
    decodeSignature: (b) => new Uint8Array(b),
  };
}

/** Message tags: 16 bytes keyed by the sender's key over the whole signed payload. */
/**
 * Tags verified last per message buffer: the simulator hands one buffer to all receivers of a
 * broadcast, so 14 of 15 checks reuse the first one's tag. Keyed by (buffer, offset, length, member).
 */
const tagMemo = new WeakMap<
  ArrayBufferLike,
  { offset: number; length: number; keys: Uint8Array[]; member: number; tag: Uint8Array }
>();

export function createSimAuth(
  n: number,
  seed: number,
  self: number,
  options: SimCryptoOptions = {},
): MessageAuthenticator {
  const keys = keysFor('sim-auth', n, seed);
  const remember = options.immutableInputs === true;
  const tagOf = (member: number, payload: Uint8Array): Uint8Array => {
    if (!remember) return keyedTag(keys[member]!, payload, 4);
    const m = tagMemo.get(payload.buffer);
    if (
      m &&
      m.offset === payload.byteOffset &&
      m.length === payload.length &&
      m.keys === keys &&
      m.member === member
    )
      return m.tag;
    const tag = keyedTag(keys[member]!, payload, 4);
    tagMemo.set(payload.buffer, { offset: payload.byteOffset, length: payload.length, keys, member, tag });
    return tag;
  };
  return {
    sign: (payload) => keyedTag(keys[self]!, payload, 4),
    verify: (member, payload, sig) =>
      member >= 1 && member <= n && sig.length === 16 && equal(sig, tagOf(member, payload)),
  };
}

const ROOT_KEY = memberKey('sim-root', 0, 0);
/** 32-byte values; the signing root is a 256-bit keyed tag of the value (distinct values, distinct roots). */
export const simValueType: ValueType<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => {
    if (b.length !== 32) throw new Error('value must be 32 bytes');
    return new Uint8Array(b);
  },
  isValid: (v) => v.length === 32,
  signingRoot: (v) => keyedTag(ROOT_KEY, v, 8),
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
