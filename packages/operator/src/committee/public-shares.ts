// The cryptographic check of one committee in a cluster file: the group key and every public
// share are valid G1 points (KeyValidate: on the curve, in the subgroup, not the identity), and the
// public shares lie on one polynomial of degree t-1 whose value at 0 is the group key, so that any
// t of them interpolate to the group key and every member's partial signatures combine.
//
// Why this suffices with n-t+1 interpolations instead of all C(n, t) subsets: let S be the first
// t-1 shares. For each other share k, interpolating S ∪ {k} at 0 gives the group key exactly when
// share k lies on the unique polynomial through S and (0, group key). So "every S ∪ {k} gives the
// group key" means every share lies on that one polynomial. That walk (6 interpolations of 11
// points for 11 of 16, ~40 ms on noble) now runs only to name the first bad share: the check itself
// is one multi-scalar multiplication with a random codeword of the dual code. With x_0 = 0 (the
// group key) and x_j the share indices, m = n + 1 points lie on a polynomial p of degree <= t-1
// exactly when Σ_j λ_j·g(x_j)·P_j = 0 for every g of degree <= m-t-1, where λ_j = 1/Π_{i≠j}(x_j - x_i)
// (Σ_j λ_j·q(x_j) is the coefficient of x^(m-1) of the interpolant of q, zero when deg q <= m-2).
// A g with random 64-bit coefficients misses a bad set with probability <= 2^-64, as in batch
// verification. Scaling every λ_j by Π_j (1/λ_j) leaves products of differences: no inversions.
import { type Bls, combinePublicShares, type PublicKey } from '@diva-dvt/bls-threshold';
import { G1, msmG1, randomBatchScalars, reduceScalar } from '@diva-dvt/bls-threshold/math';
import type { ValidatorCommittee } from './types.ts';

/** Where a committee fails the check: a field relative to the validator and the reason. */
export interface PublicShareFault {
  /** `groupPublicKey`, `members[3].publicShare` (index in `members` as given) or `members`. */
  readonly field: string;
  readonly reason: string;
}

/**
 * Checks one committee (members in the order given, indices 1..n distinct, 1 <= t <= n, as the
 * structural validation ensured). Returns the first fault, or undefined when the committee is sound.
 */
export function checkCommitteePublicShares(
  bls: Bls,
  committee: ValidatorCommittee,
): PublicShareFault | undefined {
  let group: PublicKey;
  try {
    group = bls.publicKeyFromBytes(committee.groupPublicKey);
  } catch (e) {
    return { field: 'groupPublicKey', reason: `not a valid G1 public key (${reasonOf(e)})` };
  }
  const shares: { shareIndex: number; publicKey: PublicKey }[] = [];
  for (const [i, member] of committee.members.entries()) {
    try {
      shares.push({ shareIndex: member.shareIndex, publicKey: bls.publicKeyFromBytes(member.publicShare) });
    } catch (e) {
      return { field: `members[${i}].publicShare`, reason: `not a valid G1 public key (${reasonOf(e)})` };
    }
  }
  const t = committee.threshold;
  const n = shares.length;
  if (
    onOnePolynomial([group, ...shares.map((s) => s.publicKey)], [0, ...shares.map((s) => s.shareIndex)], t)
  ) {
    return undefined;
  }
  const byIndex = [...shares].sort((a, b) => a.shareIndex - b.shareIndex);
  const base = byIndex.slice(0, t - 1);
  for (const extra of byIndex.slice(t - 1)) {
    const combined = combinePublicShares([...base, extra], { threshold: t, shareCount: n });
    if (!combined.equals(group)) {
      const position = committee.members.findIndex((m) => m.shareIndex === extra.shareIndex);
      return {
        field: t === 1 ? `members[${position}].publicShare` : 'members',
        reason:
          t === 1
            ? 'with threshold 1 every public share must equal the group public key'
            : `the public shares do not lie on one polynomial through the group public key (first inconsistency: share index ${extra.shareIndex} with share indices 1..${t - 1})`,
      };
    }
  }
  return undefined;
}

/** Whether `points` (at distinct x) lie on one polynomial of degree <= t-1 (see the header). */
function onOnePolynomial(keys: readonly PublicKey[], xs: readonly number[], t: number): boolean {
  const m = keys.length;
  const degree = m - t - 1;
  if (degree < 0) return true;
  const g = randomBatchScalars(degree + 1, (size) => crypto.getRandomValues(new Uint8Array(size)));
  const x = xs.map(BigInt);
  // w_j = Π_{i≠j} (x_j - x_i); the codeword's scalars are g(x_j)·Π_{k≠j} w_k (prefix × suffix)
  const w = x.map((xj, j) => x.reduce((acc, xi, i) => (i === j ? acc : reduceScalar(acc * (xj - xi))), 1n));
  const suffix = new Array<bigint>(m + 1).fill(1n);
  for (let j = m - 1; j >= 0; j--) suffix[j] = reduceScalar(suffix[j + 1]! * w[j]!);
  const scalars: bigint[] = [];
  let prefix = 1n;
  for (let j = 0; j < m; j++) {
    let gx = 0n;
    for (let k = degree; k >= 0; k--) gx = reduceScalar(gx * x[j]! + g[k]!);
    scalars.push(reduceScalar(reduceScalar(prefix * suffix[j + 1]!) * gx));
    prefix = reduceScalar(prefix * w[j]!);
  }
  const points = keys.map((k) => k.point);
  return msmG1(points, scalars).equals(G1.ZERO);
}

function reasonOf(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') {
    return e.shortMessage;
  }
  return e instanceof Error ? e.message : String(e);
}
