/**
 * The single place that touches @noble/curves' BLS12-381 directly: point types, the scalar field,
 * hash-to-G2 with the Ethereum DST, strict point decoding with typed errors, and multi-scalar
 * multiplication, and the EIP-2537 encodings the precompiles read. noble's default signature DST is
 * not Ethereum's, so nothing here forwards it. Its public parts reach users through `index.ts` and
 * `math.ts` only.
 */
import { type AffinePoint, mulAddUnsafe } from '@noble/curves/abstract/curve.js';
import type { Fp2 } from '@noble/curves/abstract/tower.js';
import type { WeierstrassPoint, WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { DST_SIGNATURE, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from './constants.ts';
import { BlsError, type BlsErrorLocation } from './errors.ts';

export type G1Point = WeierstrassPoint<bigint>;
export type G2Point = WeierstrassPoint<Fp2>;
export type { Fp2 };

export const G1: WeierstrassPointCons<bigint> = bls12_381.G1.Point;
export const G2: WeierstrassPointCons<Fp2> = bls12_381.G2.Point;
export const Fr = bls12_381.fields.Fr;
export const Fp = bls12_381.fields.Fp;
export const Fp12 = bls12_381.fields.Fp12;

/** a mod r in [0, r): reduction into the scalar field. */
export function reduceScalar(a: bigint): bigint {
  const m = a % Fr.ORDER;
  return m < 0n ? m + Fr.ORDER : m;
}

const DST_SIGNATURE_BYTES = utf8ToBytes(DST_SIGNATURE);

/** hash_to_curve(msg) onto G2 with the given DST (Ethereum's signature DST by default). */
export function hashToG2(message: Uint8Array, dst: Uint8Array = DST_SIGNATURE_BYTES): G2Point {
  return bls12_381.G2.hashToCurve(message, { DST: dst }) as G2Point;
}

/** Raw RFC 9380 hash_to_curve for known-answer tests with their own DST. */
export function hashToG2WithDst(message: Uint8Array, dst: string): G2Point {
  return hashToG2(message, utf8ToBytes(dst));
}

/** True when prod e(P_i, Q_i) == 1. One Miller loop per pair and a single final exponentiation. */
export function pairingProductIsOne(pairs: { g1: G1Point; g2: G2Point }[]): boolean {
  const live = pairs.filter((p) => !p.g1.is0() && !p.g2.is0());
  if (live.length === 0) return true;
  return Fp12.eql(bls12_381.pairingBatch(live), Fp12.ONE);
}

export const NEG_G1_GENERATOR: G1Point = G1.BASE.negate();

/**
 * A private copy of the G1 generator carrying noble's fixed-base window tables (window 8: about 2x
 * faster than noble's default; the tables take well under 1 MB and are built on first use). A copy,
 * so that no window size is set on noble's shared `G1.BASE`, whose tables other code may size.
 */
const G1_GENERATOR: G1Point = G1.fromAffine(G1.BASE.toAffine()).precompute(8, true);

/** scalar·G1 in constant time, with the generator's fixed-base tables. */
export function multiplyG1Generator(scalar: bigint): G1Point {
  return G1_GENERATOR.multiply(scalar);
}

function foldSigns<P extends { negate(): P }>(
  points: readonly P[],
  scalars: readonly bigint[],
): { pts: P[]; scs: bigint[] } {
  const pts: P[] = [];
  const scs: bigint[] = [];
  for (let i = 0; i < points.length; i++) {
    const s = scalars[i]!;
    if (s === 0n) continue;
    pts.push(s < 0n ? points[i]!.negate() : points[i]!);
    scs.push(s < 0n ? -s : s);
  }
  return { pts, scs };
}

/**
 * Σ scalars[i]·points[i] in G1 for public scalars with |s| < r (negative ones are folded into the
 * points). noble's interleaved Strauss-Shamir MSM: at these sizes (up to ~1,000 points with 64-bit
 * scalars) it beats its Pippenger, which walks all 255 bits.
 */
export function msmG1(points: readonly G1Point[], scalars: readonly bigint[]): G1Point {
  const { pts, scs } = foldSigns(points, scalars);
  return pts.length === 0 ? G1.ZERO : mulAddUnsafe(G1, pts, scs);
}

/** Σ scalars[i]·points[i] in G2; see `msmG1`. */
export function msmG2(points: readonly G2Point[], scalars: readonly bigint[]): G2Point {
  const { pts, scs } = foldSigns(points, scalars);
  return pts.length === 0 ? G2.ZERO : mulAddUnsafe(G2, pts, scs);
}

function classify(err: unknown, where: BlsErrorLocation): BlsError {
  const message = err instanceof Error ? err.message : String(err);
  if (/subgroup|torsion/i.test(message)) return new BlsError({ code: 'NOT_IN_SUBGROUP', ...where });
  return new BlsError({ code: 'INVALID_ENCODING', reason: message, ...where }, { cause: err });
}

function checkFlags(bytes: Uint8Array, where: BlsErrorLocation): { infinity: boolean } {
  const flags = bytes[0]! >> 5;
  const compressed = (flags & 0b100) !== 0;
  const infinity = (flags & 0b010) !== 0;
  const sign = (flags & 0b001) !== 0;
  if (!compressed) {
    throw new BlsError({ code: 'INVALID_ENCODING', reason: 'compression flag (bit 7) not set', ...where });
  }
  if (infinity) {
    if (sign)
      throw new BlsError({ code: 'INVALID_ENCODING', reason: 'infinity with sign flag set', ...where });
    if ((bytes[0]! & 0x1f) !== 0 || bytes.subarray(1).some((b) => b !== 0)) {
      throw new BlsError({ code: 'INVALID_ENCODING', reason: 'infinity with non-zero coordinate', ...where });
    }
  }
  return { infinity };
}

function checkLength(bytes: unknown, expected: number, where: BlsErrorLocation): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) {
    throw new BlsError({ code: 'INVALID_TYPE', expected: `Uint8Array of ${expected} bytes`, ...where });
  }
  if (bytes.length !== expected) {
    throw new BlsError({ code: 'INVALID_LENGTH', expected, actual: bytes.length, ...where });
  }
}

/**
 * Decodes a compressed G1 point (48 bytes, ZCash encoding): flags canonical, x < p, on the curve, in
 * the subgroup. The identity decodes only with `allowIdentity`.
 */
export function decodeG1(bytes: unknown, where: BlsErrorLocation, allowIdentity = false): G1Point {
  checkLength(bytes, PUBLIC_KEY_LENGTH, where);
  const { infinity } = checkFlags(bytes, where);
  if (infinity) {
    if (!allowIdentity) throw new BlsError({ code: 'IDENTITY_POINT', ...where });
    return G1.ZERO;
  }
  try {
    return G1.fromBytes(bytes);
  } catch (err) {
    throw classify(err, where);
  }
}

/** Decodes a compressed G2 point (96 bytes); same checks as `decodeG1`. */
export function decodeG2(bytes: unknown, where: BlsErrorLocation, allowIdentity = false): G2Point {
  checkLength(bytes, SIGNATURE_LENGTH, where);
  const { infinity } = checkFlags(bytes, where);
  if (infinity) {
    if (!allowIdentity) throw new BlsError({ code: 'IDENTITY_POINT', ...where });
    return G2.ZERO;
  }
  try {
    return G2.fromBytes(bytes);
  } catch (err) {
    throw classify(err, where);
  }
}

const P_HALF = (Fp.ORDER - 1n) / 2n;

/** Writes `value` big-endian into out[offset .. offset + width) (width 48, or 64 for EIP-2537). */
function writeFp(out: Uint8Array, offset: number, value: bigint, width = 48): void {
  let v = value;
  for (let i = offset + width - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * Compressed ZCash encoding of a G1 point. Unlike noble's `toBytes`, it does not re-run the subgroup
 * check: callers pass points that are valid by construction (parsed or computed from valid ones).
 */
export function encodeG1(point: G1Point): Uint8Array {
  const out = new Uint8Array(48);
  if (point.is0()) {
    out[0] = 0xc0;
    return out;
  }
  const { x, y } = point.toAffine();
  writeFp(out, 0, x);
  out[0]! |= y > P_HALF ? 0xa0 : 0x80;
  return out;
}

/** Compressed ZCash encoding of a G2 point (x.c1 || x.c0; sign from y.c1, or y.c0 when y.c1 = 0). */
export function encodeG2(point: G2Point): Uint8Array {
  const out = new Uint8Array(96);
  if (point.is0()) {
    out[0] = 0xc0;
    return out;
  }
  const { x, y } = point.toAffine();
  writeFp(out, 0, x.c1);
  writeFp(out, 48, x.c0);
  const sign = y.c1 !== 0n ? y.c1 > P_HALF : y.c0 > P_HALF;
  out[0]! |= sign ? 0xa0 : 0x80;
  return out;
}

const FP_BYTES = 48;

function readFp(bytes: Uint8Array, offset: number, clearFlags: boolean): bigint {
  const chunk = bytes.slice(offset, offset + FP_BYTES);
  if (clearFlags) chunk[0]! &= 0x1f;
  let v = 0n;
  for (const b of chunk) v = (v << 8n) | BigInt(b);
  return v;
}

/**
 * Builds a noble point from an already validated uncompressed serialization (as blst writes it:
 * x || y, flags in the top three bits of the first byte). No curve or subgroup check: the caller
 * vouches for the bytes. Used to move points from the native backend to noble without a square root.
 */
export function g1FromTrustedUncompressed(bytes: Uint8Array): G1Point {
  if ((bytes[0]! & 0x40) !== 0) return G1.ZERO;
  const affine: AffinePoint<bigint> = { x: readFp(bytes, 0, true), y: readFp(bytes, FP_BYTES, false) };
  return G1.fromAffine(affine);
}

export function g2FromTrustedUncompressed(bytes: Uint8Array): G2Point {
  if ((bytes[0]! & 0x40) !== 0) return G2.ZERO;
  // blst writes Fp2 elements as c1 || c0.
  const x = { c1: readFp(bytes, 0, true), c0: readFp(bytes, FP_BYTES, false) };
  const y = { c1: readFp(bytes, 2 * FP_BYTES, false), c0: readFp(bytes, 3 * FP_BYTES, false) };
  return G2.fromAffine({ x, y });
}

/**
 * EIP-2537 encoding of a G1 point, as the BLS12-381 precompiles and our contracts read it: x || y,
 * each Fp element as 64 bytes (16 zero bytes, then 48 big-endian); the identity is 128 zero bytes.
 */
export function encodeG1Eip2537(point: G1Point): Uint8Array {
  const out = new Uint8Array(128);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  writeFp(out, 0, x, 64);
  writeFp(out, 64, y, 64);
  return out;
}

/** EIP-2537 encoding of a G2 point: x.c0 || x.c1 || y.c0 || y.c1, 64 bytes each (256 bytes). */
export function encodeG2Eip2537(point: G2Point): Uint8Array {
  const out = new Uint8Array(256);
  if (point.is0()) return out;
  const { x, y } = point.toAffine();
  writeFp(out, 0, x.c0, 64);
  writeFp(out, 64, x.c1, 64);
  writeFp(out, 128, y.c0, 64);
  writeFp(out, 192, y.c1, 64);
  return out;
}
