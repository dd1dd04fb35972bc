/**
 * Stand-ins for the simulator: a keyed "threshold scheme" and message authentication that cost a
 * fraction of a microsecond, so the simulator measures the protocols rather than hashing. Inside a
 * simulation they have the properties the protocols rely on: member j's partial on a root and its
 * message tags come from j's key and cover every byte, so corrupted, garbage or misattributed
 * partials and messages fail to verify (and seeing partials or tags does not reveal a key by
 * inversion), and a combined signature needs t distinct valid partials on one root. Like
 * threshold BLS, partials and combined signatures are 96 bytes (so messages have their real sizes)
 * and the combined signature of a root is one value whichever t members' partials made it. The
 * simulated adversaries never try to forge another member's key (that is what real cryptography rules
 * out). They are not cryptography: real deployments plug in threshold BLS and operator keys (one
 * test suite runs both protocols on @diva-dvt/bls-threshold).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { createMessageAllocator, type MessageAllocator } from '../allocator.ts';
import { ConsensusError } from '../errors.ts';
import type { MessageAuthenticator, PartialScheme, ValueType } from '../types.ts';

/**
 * A decoded stand-in partial: its bytes and, once a check found it valid (with immutable inputs),
 * for which member and root (memo generation) — a combination does not compare it again, as a BLS
 * library keeps a decoded point's checks.
 */
export class SimPartial {
  readonly bytes: Uint8Array;
  checkedGeneration = 0;
  checkedMember = 0;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}
export type SimSignature = Uint8Array;

/** A member's 32-byte key for one domain, from the run's seed. */
function memberKey(domain: string, seed: number, member: number): Uint8Array {
  return sha256(utf8ToBytes(`${domain}/${seed}/${member}`));
}

/** Sizes of the stand-in partial and combined signatures: those of BLS signatures (compressed G2). */
export const SIM_SIGNATURE_BYTES = 96;

/**
 * A keyed tag of `data`, `words` 32-bit words long: blocks of 4 lanes, each a multiply-rotate hash
 * over every byte seeded by one word of the key (and the block's number), with a final avalanche.
 * Any change of data or key changes every lane with overwhelming probability. Not a MAC against an
 * adversary that computes; see the module comment.
 */
function keyedTag(key: Uint8Array, data: Uint8Array, words: number): Uint8Array {
  const out = new Uint8Array(4 * words);
  for (let block = 0; 4 * block < words; block++)
    tagInto(key, (block % 2) * 16, block >> 1, data, out, 16 * block);
  return out;
}

/**
 * A 96-byte stand-in signature of `root` under `key`: a 32-byte keyed tag, then two fixed
 * transformations of it (a check compares all 96 bytes with the expected ones).
 */
function signatureOf(allocator: MessageAllocator, key: Uint8Array, root: Uint8Array): Uint8Array {
  const out = allocator.allocate(SIM_SIGNATURE_BYTES);
  tagInto(key, 0, 0, root, out, 0);
  tagInto(key, 16, 0, root, out, 16);
  for (let i = 0; i < 32; i++) {
    out[32 + i] = out[i]! ^ 0x5c ^ i;
    out[64 + i] = out[31 - i]! ^ 0x36;
  }
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

/** Four lanes seeded by key[keyAt..keyAt+16) and `salt`, written to out[outAt..outAt+16). */
function tagInto(
  key: Uint8Array,
  keyAt: number,
  salt: number,
  data: Uint8Array,
  out: Uint8Array,
  outAt: number,
): void {
  const length = data.length;
  const seed = length ^ Math.imul(salt, 0x61c88647);
  let h0 = word(key, keyAt) ^ seed;
  let h1 = word(key, keyAt + 4) ^ seed;
  let h2 = word(key, keyAt + 8) ^ seed;
  let h3 = word(key, keyAt + 12) ^ seed;
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

/** Throws unless `bytes` (the stand-ins' `field`) has `length` bytes. */
function checkLength(field: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length)
    throw new ConsensusError({ code: 'INVALID_LENGTH', field, expected: length, actual: bytes.length });
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
 * Partials of every member on the root seen last, and the root's combined signature, shared by all
 * schemes of one committee (n, seed): in a simulated instance nearly every partial is on one root and
 * each is checked by 15 members.
 */
interface PartialMemo {
  root: Uint8Array | undefined;
  /** Unique per (memo, root): a new number whenever the memo moves to another root. */
  generation: number;
  partials: (Uint8Array | undefined)[];
  /** The root's combined signature, for threshold `combinedT`. */
  combined: Uint8Array | undefined;
  combinedT: number;
  /** Buffers of the partials and signatures made (those of one committee). */
  readonly allocator: MessageAllocator;
}
let generations = 0;
const memos = new WeakMap<Uint8Array[], PartialMemo>();
/**
 * With immutable inputs: partials found valid, by buffer and offset, with their member and memo
 * generation. The simulator hands one message to all receivers of a broadcast, so 14 of 15 checks of
 * a vote's partial reuse the first one's comparison. Entries hold numbers only: a reference to
 * partials (views into shared slabs) from here would keep other slabs, and their entries, alive.
 */
const checkedBytes = new WeakMap<ArrayBufferLike, Map<number, { member: number; generation: number }>>();

/**
 * Options of the stand-ins. `immutableInputs`: the caller never changes bytes it has passed in (the
 * simulator's case), so results may be remembered by object: the combined signature it made, message
 * tags per buffer. Off by default, so tests that flip bits in place are judged afresh.
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
    memo = {
      root: undefined,
      generation: ++generations,
      partials: [],
      combined: undefined,
      combinedT: 0,
      allocator: createMessageAllocator(),
    };
    memos.set(keys, memo);
  }
  const shared = memo;
  /** The root object this scheme asked for last, and the memo's root then (with immutable inputs). */
  let lastAsked: Uint8Array | undefined;
  let lastMemoRoot: Uint8Array | undefined;
  /** The memo pointed at `root` (one shared table per committee and root, filled lazily). */
  const at = (root: Uint8Array): PartialMemo => {
    if (remember && root === lastAsked && shared.root === lastMemoRoot) return shared;
    if (!shared.root || !equal(shared.root, root)) {
      shared.root = new Uint8Array(root);
      shared.generation = ++generations;
      shared.partials = [];
      shared.combined = undefined;
    }
    lastAsked = root;
    lastMemoRoot = shared.root;
    return shared;
  };
  /** Member's partial on a root: a 96-byte tag of the root under the member's key. */
  const partialOf = (member: number, root: Uint8Array): Uint8Array => {
    const table = at(root).partials;
    let p = table[member];
    if (!p) {
      p = signatureOf(shared.allocator, keys[member]!, root);
      table[member] = p;
    }
    return p;
  };
  /** The committee's key for threshold t (a t-of-n signature is no t'-of-n one). */
  const groupKey = keysFor(`sim-group/${t}`, 0, seed)[0]!;
  /** The combined signature on a root: a 96-byte tag under the committee's key. */
  const combinedOf = (root: Uint8Array): Uint8Array => {
    const memo = at(root);
    if (!memo.combined || memo.combinedT !== t) {
      memo.combined = signatureOf(memo.allocator, groupKey, root);
      memo.combinedT = t;
    }
    return memo.combined;
  };
  const validPartial = (member: number, root: Uint8Array, p: SimPartial): boolean => {
    if (!Number.isInteger(member) || member < 1 || member > n || p.bytes.length !== SIM_SIGNATURE_BYTES)
      return false;
    const generation = at(root).generation;
    if (!remember) return equal(p.bytes, partialOf(member, root));
    if (p.checkedGeneration === generation && p.checkedMember === member) return true;
    // The same bytes of the same message, already found valid by another member's check.
    const bytes = p.bytes;
    let inBuffer = checkedBytes.get(bytes.buffer);
    const before = inBuffer?.get(bytes.byteOffset);
    if (before === undefined || before.member !== member || before.generation !== generation) {
      if (!equal(bytes, partialOf(member, root))) return false;
      if (inBuffer === undefined) {
        inBuffer = new Map();
        checkedBytes.set(bytes.buffer, inBuffer);
      }
      inBuffer.set(bytes.byteOffset, { member, generation });
    }
    p.checkedGeneration = generation;
    p.checkedMember = member;
    return true;
  };
  return {
    // Without immutable inputs, results are copies: a caller may change them, the memo stays right.
    signPartial: (root) => new SimPartial(remember ? partialOf(self, root) : partialOf(self, root).slice()),
    verifyPartial: validPartial,
    /**
     * The committee's signature when at least t distinct members' partials are valid; otherwise 96
     * bytes that verify for no root (as a BLS combination with a bad partial gives an invalid
     * signature). The stand-in checks the partials itself to know which.
     */
    combine: (root, partials) => {
      const members = new Set<number>();
      for (const { member, partial } of partials) {
        if (!validPartial(member, root, partial)) return new Uint8Array(SIM_SIGNATURE_BYTES);
        members.add(member);
      }
      if (members.size < t) return new Uint8Array(SIM_SIGNATURE_BYTES);
      return remember ? combinedOf(root) : combinedOf(root).slice();
    },
    verifyCombined: (root, s) => {
      if (root.length !== 32 || s.length !== SIM_SIGNATURE_BYTES) return false;
      const expected = combinedOf(root);
      return (remember && s === expected) || equal(s, expected);
    },
    encodePartial: (p) => p.bytes,
    decodePartial: (b) => {
      checkLength('partial', b, SIM_SIGNATURE_BYTES);
      return new SimPartial(b);
    },
    encodeSignature: (s) => s,
    decodeSignature: (b) => {
      checkLength('signature', b, SIM_SIGNATURE_BYTES);
      return remember ? b : new Uint8Array(b);
    },
  };
}

/**
 * Message tags: 16 bytes keyed by the sender's key over the whole signed payload. With immutable
 * inputs, the tag computed last per message (array object): the simulator hands one message to all
 * receivers of a broadcast, so 14 of 15 checks reuse the first one's tag.
 */
const tagMemo = new WeakMap<
  Uint8Array,
  { length: number; keys: Uint8Array[]; member: number; tag: Uint8Array }
>();

export function createSimAuth(
  n: number,
  seed: number,
  self: number,
  options: SimCryptoOptions = {},
): MessageAuthenticator {
  const keys = keysFor('sim-auth', n, seed);
  const remember = options.immutableInputs === true;
  /** Member's tag of bytes[0..end) (remembered per buffer with immutable inputs). */
  const tagOf = (member: number, bytes: Uint8Array, end: number): Uint8Array => {
    if (!remember) return keyedTag(keys[member]!, bytes.subarray(0, end), 4);
    const m = tagMemo.get(bytes);
    if (m && m.length === end && m.keys === keys && m.member === member) return m.tag;
    const tag = keyedTag(keys[member]!, bytes.subarray(0, end), 4);
    tagMemo.set(bytes, { length: end, keys, member, tag });
    return tag;
  };
  return {
    sign: (payload) => keyedTag(keys[self]!, payload, 4),
    verify: (member, payload, sig) =>
      member >= 1 && member <= n && sig.length === 16 && equal(sig, tagOf(member, payload, payload.length)),
    verifyIn: (member, bytes, payloadEnd, signatureStart) => {
      if (member < 1 || member > n || bytes.length - signatureStart !== 16 || payloadEnd > signatureStart)
        return false;
      const tag = tagOf(member, bytes, payloadEnd);
      for (let i = 0; i < 16; i++) if (bytes[signatureStart + i] !== tag[i]) return false;
      return true;
    },
  };
}

const ROOT_KEY = memberKey('sim-root', 0, 0);
/** The values whose roots were computed last (a simulated instance has one or two), with their roots. */
const lastValues: Uint8Array[] = [];
const lastRoots: Uint8Array[] = [];
/**
 * 32-byte values; the signing root is a 256-bit keyed tag of the value (distinct values, distinct
 * roots). Roots of the last two values are remembered (each call returns a copy).
 */
export const simValueType: ValueType<Uint8Array> = {
  encode: (v) => v,
  decode: (b) => {
    checkLength('value', b, 32);
    return new Uint8Array(b);
  },
  isValid: (v) => v.length === 32,
  signingRoot: (v) => {
    for (let i = 0; i < lastValues.length; i++) if (equal(lastValues[i]!, v)) return lastRoots[i]!.slice();
    const root = keyedTag(ROOT_KEY, v, 8);
    lastValues.unshift(new Uint8Array(v));
    lastRoots.unshift(root);
    if (lastValues.length > 2) {
      lastValues.pop();
      lastRoots.pop();
    }
    return root.slice();
  },
};

/** The stand-ins of members 0..n for one committee (stateless apart from shared memos: reused). */
const standInCache = new Map<
  string,
  { auths: MessageAuthenticator[]; schemes: PartialScheme<unknown, unknown>[] }
>();
export function standInCrypto(n: number, t: number, seed: number) {
  const id = `${n}/${t}/${seed}`;
  let found = standInCache.get(id);
  if (!found) {
    const members = Array.from({ length: n + 1 }, (_, j) => j);
    found = {
      auths: members.map((j) => createSimAuth(n, seed, j, { immutableInputs: true })),
      schemes: members.map(
        (j) => createSimScheme(n, t, seed, j, { immutableInputs: true }) as PartialScheme<unknown, unknown>,
      ),
    };
    if (standInCache.size > 256) standInCache.clear();
    standInCache.set(id, found);
  }
  return found;
}
