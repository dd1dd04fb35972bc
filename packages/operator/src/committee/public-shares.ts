// The cryptographic check of one committee in a cluster file: the group key and every public
// share are valid G1 points (KeyValidate: on the curve, in the subgroup, not the identity), and the
// public shares lie on one polynomial of degree t-1 whose value at 0 is the group key, so that any
// t of them interpolate to the group key and every member's partial signatures combine.
//
// Why this suffices with n-t+1 interpolations instead of all C(n, t) subsets: let S be the first
// t-1 shares. For each other share k, interpolating S ∪ {k} at 0 gives the group key exactly when
// share k lies on the unique polynomial through S and (0, group key). So "every S ∪ {k} gives the
// group key" means every share lies on that one polynomial. Cost (noble, 11 of 16): parsing the 17
// points is ~30 ms (decompression and subgroup check), the 6 interpolations ~5 ms.
import { type Bls, combinePublicShares, type PublicKey } from '@diva-dvt/bls-threshold';
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

function reasonOf(e: unknown): string {
  if (e !== null && typeof e === 'object' && 'shortMessage' in e && typeof e.shortMessage === 'string') {
    return e.shortMessage;
  }
  return e instanceof Error ? e.message : String(e);
}
