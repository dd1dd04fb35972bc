/**
 * Shamir secret sharing over the BLS12-381 scalar field, with 1-based share indices (share i is the
 * polynomial evaluated at x = i, the member's position in the committee). Used for trusted-dealer
 * import of an existing validator key, for Lagrange interpolation at x = 0, and for secret recovery
 * (tests and disaster recovery only: recovery puts the whole key in one place).
 */
import { CURVE_ORDER } from './constants.ts';
import { G1, type G1Point, reduceScalar as mod, multiplyG1Generator } from './curve.ts';
import { BlsError } from './errors.ts';
import { checkShareIndex, checkShareIndices, checkThreshold } from './internal/indices.ts';
import { PublicKey, SecretKey } from './keys.ts';
import { defaultRandom, type RandomSource } from './random.ts';

const r = CURVE_ORDER;

/** a^-1 mod r (r is prime; a must be non-zero mod r). */
export function invertScalar(a: bigint): bigint {
  // Extended Euclid on bigints: faster than a^(r-2) for one-off inversions.
  let [oldR, rr] = [mod(a), r];
  let [oldS, s] = [1n, 0n];
  while (rr !== 0n) {
    const q = oldR / rr;
    [oldR, rr] = [rr, oldR - q * rr];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new BlsError({ code: 'INVALID_SCALAR', reason: 'zero', field: 'scalar' });
  return mod(oldS);
}

/** One member's secret share. */
export interface SecretKeyShare {
  /** 1-based position in the committee. */
  readonly shareIndex: number;
  readonly secretKey: SecretKey;
}

/** One member's public share: its share's public key. */
export interface PublicShare {
  readonly shareIndex: number;
  readonly publicKey: PublicKey;
}

export interface SplitSecretKeyParameters {
  readonly threshold: number;
  readonly shareCount: number;
  /** Randomness for the polynomial's coefficients (default: the platform CSPRNG). */
  readonly random?: RandomSource;
}

export interface SplitSecretKeyReturnType {
  readonly threshold: number;
  readonly groupPublicKey: PublicKey;
  /** `shares[i]` has `shareIndex` i + 1. */
  readonly shares: readonly SecretKeyShare[];
  /** `publicShares[i]` has `shareIndex` i + 1. */
  readonly publicShares: readonly PublicShare[];
  /** Feldman commitments a_k·G1 of the polynomial's coefficients, constant term first. */
  readonly commitments: readonly PublicKey[];
}

/**
 * Coefficients a_0..a_{t-1} of a random polynomial of degree t-1 over the scalar field, each a
 * uniformly random non-zero scalar; a_0 is `constant` when given (a known secret: trusted-dealer
 * import, resharing).
 */
export function createPolynomial(threshold: number, random: RandomSource, constant?: bigint): bigint[] {
  const coefficients = [constant ?? SecretKey.random(random).toScalar()];
  for (let k = 1; k < threshold; k++) coefficients.push(SecretKey.random(random).toScalar());
  return coefficients;
}

/** Feldman commitments a_k·G1 of a polynomial's coefficients (each non-zero), constant term first. */
export function commitPolynomial(coefficients: readonly bigint[]): G1Point[] {
  return coefficients.map((a) => multiplyG1Generator(a));
}

/**
 * f(x) = Σ coefficients[k]·x^k mod r (Horner): the secret share of share index `x` (1-based, an
 * integer in 1..2^32-1) when `coefficients` are a dealer's polynomial, constant term first.
 */
export function evaluatePolynomial(coefficients: readonly bigint[], x: number): bigint {
  checkShareIndex(x, 'x');
  const bx = BigInt(x);
  let acc = 0n;
  for (let k = coefficients.length - 1; k >= 0; k--) acc = mod(acc * bx + coefficients[k]!);
  return acc;
}

/** n·P for a small public n by double-and-add (noble's windowed multiply costs more for tiny n). */
function multiplySmall(p: G1Point, n: number): G1Point {
  let acc = G1.ZERO;
  for (let bit = 31 - Math.clz32(n); bit >= 0; bit--) {
    acc = acc.double();
    if ((n >>> bit) & 1) acc = acc.add(p);
  }
  return acc;
}

/**
 * Σ commitments[k]·x^k in G1: the public share of share index `x` (1-based, an integer in
 * 1..2^32-1) from Feldman commitments, constant term first. Horner with double-and-add by x, which
 * beats general scalar multiplication for share indices.
 */
export function evaluateCommitments(commitments: readonly G1Point[], x: number): G1Point {
  checkShareIndex(x, 'x');
  let acc = G1.ZERO;
  for (let k = commitments.length - 1; k >= 0; k--) acc = multiplySmall(acc, x).add(commitments[k]!);
  return acc;
}

/**
 * Splits a secret key into `shareCount` shares, any `threshold` of which recover it (trusted-dealer
 * import). The polynomial has degree t-1 with the key as its constant term and random other
 * coefficients. The dealer sees the whole key: use the DKG to create keys that never exist in one place.
 */
export function splitSecretKey(
  secretKey: SecretKey,
  parameters: SplitSecretKeyParameters,
): SplitSecretKeyReturnType {
  const { threshold, shareCount } = parameters;
  checkThreshold(threshold, shareCount);
  const random = parameters.random ?? defaultRandom;
  const coefficients = createPolynomial(threshold, random, secretKey.toScalar());
  const commitments = commitPolynomial(coefficients).map((c) => PublicKey.fromPoint(c));
  const shares: SecretKeyShare[] = [];
  const publicShares: PublicShare[] = [];
  for (let i = 1; i <= shareCount; i++) {
    const value = evaluatePolynomial(coefficients, i);
    // f(i) = 0 happens with probability n/r; a share must be a valid key, so resample.
    if (value === 0n) return splitSecretKey(secretKey, parameters);
    const share = SecretKey.fromScalar(value);
    shares.push({ shareIndex: i, secretKey: share });
    publicShares.push({ shareIndex: i, publicKey: share.toPublicKey() });
  }
  return { threshold, groupPublicKey: commitments[0]!, shares, publicShares, commitments };
}

/**
 * Lagrange coefficients at x = 0 for the given distinct, non-zero indices:
 * λ_i = Π_{j≠i} x_j / (x_j − x_i) mod r.
 */
export function lagrangeCoefficientsAtZero(indices: readonly number[]): bigint[] {
  checkShareIndices(indices);
  const xs = indices.map(BigInt);
  const nums: bigint[] = [];
  const dens: bigint[] = [];
  for (let i = 0; i < xs.length; i++) {
    let num = 1n;
    let den = 1n;
    for (let j = 0; j < xs.length; j++) {
      if (i === j) continue;
      num *= xs[j]!;
      den *= xs[j]! - xs[i]!;
    }
    nums.push(num);
    dens.push(den);
  }
  return nums.map((n, i) => mod(mod(n) * invertScalar(dens[i]!)));
}

/**
 * Lagrange interpolation at x = 0 with the denominators cleared: returns small signed integers e_i and
 * one scalar m with λ_i = m·e_i mod r. Combining points as m·(Σ e_i·P_i) replaces a multi-scalar
 * multiplication with full 255-bit scalars by one with short ones (about 45 bits for 11 of 16) plus a
 * single full multiplication. Returns undefined when the integers grow too large to help (very large
 * or sparse index sets); callers then use `lagrangeCoefficientsAtZero`.
 */
export function lagrangeIntegerForm(
  indices: readonly number[],
): { readonly multiplier: bigint; readonly coefficients: readonly bigint[] } | undefined {
  checkShareIndices(indices);
  const xs = indices.map(BigInt);
  let product = 1n;
  for (const x of xs) product *= x;
  // λ_i = P / w_i with w_i = x_i · Π_{j≠i} (x_j − x_i)
  const ws = xs.map((xi, i) => {
    let w = xi;
    for (let j = 0; j < xs.length; j++) if (j !== i) w *= xs[j]! - xi;
    return w;
  });
  let lcm = 1n;
  for (const w of ws) {
    const a = w < 0n ? -w : w;
    lcm = (lcm / gcd(lcm, a)) * a;
    if (lcm > 1n << 96n) return undefined;
  }
  const coefficients = ws.map((w) => lcm / w);
  const multiplier = mod(mod(product) * invertScalar(lcm));
  return { multiplier, coefficients };
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Recovers the secret key from at least `threshold` shares by interpolation at x = 0.
 * For tests and disaster recovery only: it puts the whole validator key in one place.
 */
export function recoverSecretKey(shares: readonly SecretKeyShare[], threshold: number): SecretKey {
  if (shares.length < threshold) {
    throw new BlsError({ code: 'NOT_ENOUGH_PARTIALS', threshold, received: shares.length });
  }
  const used = shares.slice(0, threshold);
  const lambdas = lagrangeCoefficientsAtZero(used.map((s) => s.shareIndex));
  let acc = 0n;
  for (let i = 0; i < used.length; i++) acc = mod(acc + lambdas[i]! * used[i]!.secretKey.toScalar());
  return SecretKey.fromScalar(acc);
}

/** The public share of a secret share: sk_i·G1. */
export function publicShareOf(share: SecretKeyShare): PublicShare {
  return { shareIndex: share.shareIndex, publicKey: share.secretKey.toPublicKey() };
}
