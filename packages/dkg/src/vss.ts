/**
 * Feldman verifiable secret sharing over BLS12-381 G1, and the Schnorr proof of knowledge of a
 * dealing's constant term.
 *
 * A dealer samples f(x) = a_0 + a_1 x + ... + a_{t-1} x^{t-1}, publishes C_k = a_k·G1 and sends f(j)
 * to member j (1-based). Member j checks f(j)·G1 = Σ_k C_k·j^k. Many dealings received by one member
 * are checked together with a random linear combination; if that fails, each is checked alone and
 * the bad dealers are named.
 *
 * Commitments travel uncompressed (96 bytes): decoding needs no square root, only the curve
 * equation. Subgroup membership is checked once on the sums over qualified dealers (`sumCommitments`
 * then `assertInSubgroup`): the outputs (group key, public shares) depend only on those sums, and a
 * share that passes its check equals the subgroup part of the dealer's polynomial.
 */

import {
  CURVE_ORDER,
  evaluateCommitments,
  type G1Point,
  type RandomSource,
  SecretKey,
} from '@diva-dvt/bls-threshold';
import {
  G1,
  reduceScalar as mod,
  msmG1,
  multiplyG1Generator,
  randomBatchScalars,
} from '@diva-dvt/bls-threshold/math';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';

const r = CURVE_ORDER;

export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bigintToBytes32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** A random non-zero scalar. */
function randomScalar(random: RandomSource): bigint {
  return SecretKey.random(random).toScalar();
}

/** Checks share·G1 = Σ_k C_k·x^k for one dealing. */
export function verifyShare(commitments: readonly G1Point[], x: number, share: bigint): boolean {
  if (share <= 0n || share >= r) return false;
  return evaluateCommitments(commitments, x).equals(multiplyG1Generator(share));
}

export interface ReceivedShare {
  readonly commitments: readonly G1Point[];
  readonly share: bigint;
}

/**
 * Checks many dealings' shares for one recipient index at once:
 * Σ_d ρ_d·(Σ_k C_{d,k}·x^k − s_d·G1) = 0 with random 64-bit ρ_d (the first fixed to 1). Returns the
 * positions of invalid ones (empty when all are valid); falls back to one check per dealing only
 * when the combination fails.
 */
export function findInvalidShares(
  items: readonly ReceivedShare[],
  x: number,
  random: RandomSource,
): number[] {
  if (items.length === 0) return [];
  const bad = items.flatMap((it, i) => (it.share <= 0n || it.share >= r ? [i] : []));
  if (bad.length > 0) {
    return items.flatMap((it, i) =>
      bad.includes(i) || !verifyShare(it.commitments, x, it.share) ? [i] : [],
    );
  }
  // E_d = Σ_k C_{d,k}·x^k by Horner (small multipliers), then one MSM with 64-bit weights.
  const evaluations = items.map((it) => evaluateCommitments(it.commitments, x));
  const weights = randomBatchScalars(items.length, random);
  let shareSum = 0n;
  items.forEach((it, d) => {
    shareSum = mod(shareSum + weights[d]! * it.share);
  });
  const total = msmG1([...evaluations, G1.BASE], [...weights, -shareSum]);
  if (total.is0()) return [];
  return items.flatMap((it, i) => (evaluations[i]!.equals(multiplyG1Generator(it.share)) ? [] : [i]));
}

/** Σ over dealings of their commitment vectors (all of length t). */
export function sumCommitments(
  all: readonly (readonly G1Point[])[],
  weights?: { readonly coefficients: readonly bigint[]; readonly multiplier: bigint },
): G1Point[] {
  const t = all[0]?.length ?? 0;
  const out: G1Point[] = [];
  for (let k = 0; k < t; k++) {
    if (weights) {
      // Σ_i λ_i·C_i,k = m·Σ_i e_i·C_i,k with short signed integers e_i (see lagrangeIntegerForm).
      const sum = msmG1(
        all.map((c) => c[k]!),
        weights.coefficients,
      );
      out.push(sum.is0() ? sum : sum.multiplyUnsafe(weights.multiplier));
    } else {
      let acc = G1.ZERO;
      for (const c of all) acc = acc.add(c[k]!);
      out.push(acc);
    }
  }
  return out;
}

// --- Schnorr proof of knowledge of a_0 (C_0 = a_0·G1), bound to the ceremony and dealer ----------

const POK_DST = utf8ToBytes('diva-dkg/proof-of-knowledge/v1');

export interface ProofOfKnowledge {
  /** R = k·G1, compressed (48 bytes). */
  readonly commitment: G1Point;
  /** z = k + c·a_0 mod r. */
  readonly response: bigint;
}

function challenge(context: Uint8Array, c0: G1Point, R: G1Point): bigint {
  // 64 bytes reduced mod r: statistically uniform.
  // Uncompressed affine encodings: no square root and no subgroup re-check on the hot path.
  return mod(
    bytesToBigint(sha512(concatBytes(POK_DST, context, encodeG1Uncompressed(c0), encodeG1Uncompressed(R)))),
  );
}

/** `context` must bind the ceremony, the dealer and the validator position. */
export function proveKnowledge(secret: bigint, context: Uint8Array, random: RandomSource): ProofOfKnowledge {
  const k = randomScalar(random);
  const R = multiplyG1Generator(k);
  const c = challenge(context, multiplyG1Generator(secret), R);
  return { commitment: R, response: mod(k + c * secret) };
}

export function verifyKnowledge(c0: G1Point, proof: ProofOfKnowledge, context: Uint8Array): boolean {
  if (c0.is0() || proof.response <= 0n || proof.response >= r) return false;
  const c = challenge(context, c0, proof.commitment);
  // z·G1 − c·C_0 == R
  const lhs = msmG1([G1.BASE, c0], [proof.response, -c]);
  return lhs.equals(proof.commitment);
}

export interface ProofStatement {
  readonly c0: G1Point;
  readonly proof: ProofOfKnowledge;
  readonly context: Uint8Array;
}

/**
 * Verifies many proofs of knowledge at once: Σ_i ρ_i·(z_i·G1 − c_i·C0_i − R_i) = 0 with random
 * 64-bit ρ_i. Returns the positions of invalid proofs (checked one by one only if the batch fails).
 */
export function findInvalidProofs(statements: readonly ProofStatement[], random: RandomSource): number[] {
  if (statements.length === 0) return [];
  const malformed = statements.flatMap((st, i) =>
    st.c0.is0() || st.proof.response <= 0n || st.proof.response >= r ? [i] : [],
  );
  if (malformed.length === 0) {
    const weights = randomBatchScalars(statements.length, random);
    const points: G1Point[] = [G1.BASE];
    const scalars: bigint[] = [0n];
    let zSum = 0n;
    statements.forEach((st, i) => {
      const w = weights[i]!;
      const c = challenge(st.context, st.c0, st.proof.commitment);
      zSum = mod(zSum + w * st.proof.response);
      points.push(st.c0.negate(), st.proof.commitment.negate());
      scalars.push(mod(w * c), w);
    });
    scalars[0] = zSum;
    if (msmG1(points, scalars).is0()) return [];
  }
  return statements.flatMap((st, i) => (verifyKnowledge(st.c0, st.proof, st.context) ? [] : [i]));
}

/** Uncompressed point encoding without flags (x || y, 96 bytes); identity is not encodable. */
export function encodeG1Uncompressed(p: G1Point): Uint8Array {
  const { x, y } = p.toAffine();
  const out = new Uint8Array(96);
  let a = x;
  let b = y;
  for (let i = 47; i >= 0; i--) {
    out[i] = Number(a & 0xffn);
    out[48 + i] = Number(b & 0xffn);
    a >>= 8n;
    b >>= 8n;
  }
  return out;
}

/** Decodes x || y and checks the curve equation (subgroup checks happen on sums; see above). */
export function decodeG1Uncompressed(bytes: Uint8Array): G1Point | undefined {
  if (bytes.length !== 96) return undefined;
  const x = bytesToBigint(bytes.subarray(0, 48));
  const y = bytesToBigint(bytes.subarray(48, 96));
  const Fp = G1.Fp;
  if (x >= Fp.ORDER || y >= Fp.ORDER) return undefined;
  // y^2 = x^3 + 4
  if (Fp.sqr(y) !== Fp.add(Fp.mul(Fp.sqr(x), x), 4n)) return undefined;
  return G1.fromAffine({ x, y });
}

export function isInSubgroup(p: G1Point): boolean {
  return !p.is0() && p.isTorsionFree();
}
