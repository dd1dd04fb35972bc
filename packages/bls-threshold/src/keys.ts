/**
 * Key and signature objects. A `PublicKey` or `Signature` keeps its canonical compressed bytes and
 * its decoded curve point side by side, so a value parsed once from the network is never decompressed
 * again on a hot path. Objects built by `fromBytes` are fully validated (length, flags, canonical
 * coordinates, on curve, in subgroup, not the identity unless asked for); objects built from points by
 * this package's own arithmetic are valid by construction.
 *
 * A `SecretKey` never prints its scalar: `toString`, `toJSON` and Node's inspector show a placeholder.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CURVE_ORDER, SECRET_KEY_LENGTH } from './constants.ts';
import {
  decodeG1,
  decodeG2,
  encodeG1,
  encodeG2,
  type G1Point,
  type G2Point,
  multiplyG1Generator,
} from './curve.ts';
import { BlsError, type BlsErrorLocation } from './errors.ts';
import { defaultRandom, type RandomSource } from './random.ts';

export type Hex = `0x${string}`;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function parseHex(hex: string, where: BlsErrorLocation): Uint8Array {
  if (typeof hex !== 'string' || !/^(0x)?([0-9a-fA-F]{2})*$/.test(hex)) {
    throw new BlsError({ code: 'INVALID_TYPE', expected: 'an even-length hex string', ...where });
  }
  return hexToBytes(hex.startsWith('0x') ? hex.slice(2) : hex);
}

function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`;
}

function bytesToScalar(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function scalarToBytes(scalar: bigint): Uint8Array {
  const out = new Uint8Array(SECRET_KEY_LENGTH);
  let v = scalar;
  for (let i = SECRET_KEY_LENGTH - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export interface ParseOptions {
  /** Name used in error messages (default `publicKey` / `signature`). */
  readonly field?: string;
  /** Position in a list, for error messages. */
  readonly index?: number;
  /**
   * Accept the point at infinity. Off by default: no valid key, share or signature of ours is the
   * identity. The eth2 spec's aggregation handlers need it on.
   */
  readonly allowIdentity?: boolean;
}

function location(options: ParseOptions | undefined, field: string): BlsErrorLocation {
  return options?.index === undefined
    ? { field: options?.field ?? field }
    : { field: options?.field ?? field, index: options.index };
}

/** A BLS secret key: a scalar in [1, r). */
export class SecretKey {
  readonly #scalar: bigint;

  private constructor(scalar: bigint) {
    this.#scalar = scalar;
  }

  /** From a scalar, which must lie in [1, r). */
  static fromScalar(scalar: bigint, field = 'secretKey'): SecretKey {
    if (typeof scalar !== 'bigint') throw new BlsError({ code: 'INVALID_TYPE', expected: 'bigint', field });
    if (scalar === 0n) throw new BlsError({ code: 'INVALID_SCALAR', reason: 'zero', field });
    if (scalar < 0n || scalar >= CURVE_ORDER) {
      throw new BlsError({ code: 'INVALID_SCALAR', reason: 'not below the group order r', field });
    }
    return new SecretKey(scalar);
  }

  /** From 32 big-endian bytes (the EIP-2335 keystore payload). */
  static fromBytes(bytes: Uint8Array, field = 'secretKey'): SecretKey {
    if (!(bytes instanceof Uint8Array)) {
      throw new BlsError({ code: 'INVALID_TYPE', expected: 'Uint8Array of 32 bytes', field });
    }
    if (bytes.length !== SECRET_KEY_LENGTH) {
      throw new BlsError({
        code: 'INVALID_LENGTH',
        expected: SECRET_KEY_LENGTH,
        actual: bytes.length,
        field,
      });
    }
    return SecretKey.fromScalar(bytesToScalar(bytes), field);
  }

  static fromHex(hex: string, field = 'secretKey'): SecretKey {
    return SecretKey.fromBytes(parseHex(hex, { field }), field);
  }

  /**
   * A uniformly random key from the injected source: 48 random bytes reduced mod r (bias below
   * 2^-128), retried on zero.
   */
  static random(random: RandomSource = defaultRandom): SecretKey {
    for (;;) {
      const s = bytesToScalar(random(48)) % CURVE_ORDER;
      if (s !== 0n) return new SecretKey(s);
    }
  }

  /** The secret scalar. Handle with care: never log it. */
  toScalar(): bigint {
    return this.#scalar;
  }

  /** 32 big-endian bytes, for encrypted storage only. */
  toBytes(): Uint8Array {
    return scalarToBytes(this.#scalar);
  }

  /** The matching public key, sk·G1. */
  toPublicKey(): PublicKey {
    return PublicKey.fromPoint(multiplyG1Generator(this.#scalar));
  }

  equals(other: SecretKey): boolean {
    return this.#scalar === other.#scalar;
  }

  toString(): string {
    return 'SecretKey(<redacted>)';
  }

  toJSON(): string {
    return 'SecretKey(<redacted>)';
  }

  [INSPECT](): string {
    return 'SecretKey(<redacted>)';
  }
}

/**
 * What a public key and a signature share: canonical compressed bytes and the curve point, decoded
 * at most once (lazily when a backend parsed the bytes natively).
 */
abstract class CompressedPoint<P> {
  readonly bytes: Uint8Array;
  #point: P | undefined;
  readonly #load: (() => P) | undefined;

  /** Internal: use `fromBytes`, `fromHex` or `fromPoint`. */
  constructor(bytes: Uint8Array, point: P | undefined, load?: () => P) {
    this.bytes = bytes;
    this.#point = point;
    this.#load = load;
  }

  /** The decoded point (decoded at most once). */
  get point(): P {
    if (this.#point === undefined) this.#point = this.#load!();
    return this.#point;
  }

  isIdentity(): boolean {
    return this.bytes[0] === 0xc0 && this.bytes.subarray(1).every((b) => b === 0);
  }

  toHex(): Hex {
    return toHex(this.bytes);
  }

  equals(other: this): boolean {
    return equalBytes(this.bytes, other.bytes);
  }

  toString(): string {
    return this.toHex();
  }

  toJSON(): Hex {
    return this.toHex();
  }
}

/** A validated G1 public key (48-byte compressed encoding plus point). */
export class PublicKey extends CompressedPoint<G1Point> {
  /** Parses and fully validates 48 compressed bytes (KeyValidate: not the identity, in G1). */
  static fromBytes(bytes: Uint8Array, options?: ParseOptions): PublicKey {
    const point = decodeG1(bytes, location(options, 'publicKey'), options?.allowIdentity ?? false);
    return new PublicKey(Uint8Array.from(bytes), point);
  }

  static fromHex(hex: string, options?: ParseOptions): PublicKey {
    return PublicKey.fromBytes(parseHex(hex, location(options, 'publicKey')), options);
  }

  /** Wraps a point computed by trusted arithmetic (no validation). */
  static fromPoint(point: G1Point): PublicKey {
    return new PublicKey(encodeG1(point), point);
  }
}

/** A validated G2 signature (96-byte compressed encoding plus point). */
export class Signature extends CompressedPoint<G2Point> {
  /** Parses and fully validates 96 compressed bytes (in G2; not the identity unless allowed). */
  static fromBytes(bytes: Uint8Array, options?: ParseOptions): Signature {
    const point = decodeG2(bytes, location(options, 'signature'), options?.allowIdentity ?? false);
    return new Signature(Uint8Array.from(bytes), point);
  }

  static fromHex(hex: string, options?: ParseOptions): Signature {
    return Signature.fromBytes(parseHex(hex, location(options, 'signature')), options);
  }

  /** Wraps a point computed by trusted arithmetic (no validation). */
  static fromPoint(point: G2Point): Signature {
    return new Signature(encodeG2(point), point);
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export { parseHex as prefixedHexToBytes, toHex as bytesToPrefixedHex };
