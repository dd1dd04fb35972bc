/**
 * From what a member holds at the end of the justify phase to the ceremony's outcome: which dealers
 * qualify, the group keys and public shares, and this member's secret shares.
 */
import {
  evaluateCommitments,
  type G1Point,
  lagrangeCoefficientsAtZero,
  lagrangeIntegerForm,
  PublicKey,
  SecretKey,
} from '@diva-dvt/bls-threshold';
import { reduceScalar as mod, multiplyG1Generator } from '@diva-dvt/bls-threshold/math';
import type { CeremonyConfig } from '../ceremony.ts';
import { isInSubgroup, sumCommitments, verifyShare } from '../vss.ts';
import type { ParsedDealing } from './dealing.ts';

export interface DealerView {
  readonly parsed: ParsedDealing | undefined;
  /** Why the dealing itself is unusable (malformed, bad proof, equivocation), if it is. */
  readonly fault: string | undefined;
  /** Shares revealed in clear, by recipient position. */
  readonly reveals: ReadonlyMap<number, readonly bigint[]>;
  /** This member's shares from this dealer, when known and checked. */
  readonly myShares: readonly bigint[] | undefined;
}

export interface Outcome {
  readonly qualified: number[];
  readonly disqualified: { dealer: number; reason: string }[];
  readonly validators: {
    groupPublicKey: PublicKey;
    publicShares: PublicKey[];
    secretShare: SecretKey | undefined;
  }[];
  /** Dealers whose share to this member did not fit, when the member's final share check failed. */
  readonly ownShareCulprits: number[];
}

/**
 * Decides QUAL: a dealer qualifies iff its dealing is known and valid, it did not equivocate, and
 * every complaint against it was answered by revealed shares that match its commitments.
 */
export function decideQualified(
  config: CeremonyConfig,
  dealers: readonly DealerView[],
  complaintsAgainst: ReadonlyMap<number, readonly number[]>,
): { qualified: number[]; disqualified: { dealer: number; reason: string }[] } {
  const qualified: number[] = [];
  const disqualified: { dealer: number; reason: string }[] = [];
  dealers.forEach((d, i) => {
    const position = i + 1;
    if (!d.parsed) {
      disqualified.push({ dealer: position, reason: d.fault ?? 'no dealing received' });
      return;
    }
    if (d.fault) {
      disqualified.push({ dealer: position, reason: d.fault });
      return;
    }
    for (const complainer of complaintsAgainst.get(position) ?? []) {
      const shares = d.reveals.get(complainer);
      const ok =
        shares !== undefined &&
        shares.length === config.validatorCount &&
        shares.every((s, v) => verifyShare(d.parsed!.commitments[v]!, complainer, s));
      if (!ok) {
        disqualified.push({
          dealer: position,
          reason:
            shares === undefined
              ? `no answer to the complaint of member ${complainer}`
              : `bad reveal for member ${complainer}`,
        });
        return;
      }
    }
    qualified.push(position);
  });
  return { qualified, disqualified };
}

export function computeOutcome(
  config: CeremonyConfig,
  dealers: readonly DealerView[],
  complaintsAgainst: ReadonlyMap<number, readonly number[]>,
  myRecipientPosition: number | undefined,
): Outcome {
  let { qualified, disqualified } = decideQualified(config, dealers, complaintsAgainst);
  // Subgroup check on the sums; on failure, find and drop the dealers with torsion in their commitments.
  for (;;) {
    const sums = sumsFor(config, dealers, qualified);
    if (sums.every((A) => isInSubgroup(A[0]!) && A.slice(1).every((c) => c.is0() || c.isTorsionFree())))
      break;
    const torsion = qualified.filter((d) =>
      dealers[d - 1]!.parsed!.commitments.some((cs) => cs.some((c) => !c.is0() && !c.isTorsionFree())),
    );
    if (torsion.length === 0) break; // sums of subgroup points are in the subgroup: unreachable
    qualified = qualified.filter((d) => !torsion.includes(d));
    disqualified = [
      ...disqualified,
      ...torsion.map((dealer) => ({ dealer, reason: 'commitment outside G1' })),
    ];
  }
  const weights = weightsFor(config, qualified);
  const sums = sumsFor(config, dealers, qualified);
  const ownShareCulprits: number[] = [];
  const validators = sums.map((A, v) => {
    const publicPoints = config.recipients.map((_, j) => evaluateCommitments(A, j + 1));
    let secretShare: SecretKey | undefined;
    if (myRecipientPosition !== undefined) {
      let s = 0n;
      let complete = true;
      qualified.forEach((d, i) => {
        const mine = dealers[d - 1]!.myShares?.[v];
        if (mine === undefined) complete = false;
        else s = mod(s + (weights ? weights.coefficients[i]! : 1n) * mine);
      });
      if (weights) s = mod(s * weights.multiplier);
      if (complete && s !== 0n && multiplyG1Generator(s).equals(publicPoints[myRecipientPosition - 1]!)) {
        secretShare = SecretKey.fromScalar(s);
      } else {
        for (const d of qualified) {
          const mine = dealers[d - 1]!.myShares?.[v];
          const dealing = dealers[d - 1]!.parsed!;
          if (mine === undefined || !verifyShare(dealing.commitments[v]!, myRecipientPosition, mine)) {
            if (!ownShareCulprits.includes(d)) ownShareCulprits.push(d);
          }
        }
      }
    }
    return {
      groupPublicKey: PublicKey.fromPoint(A[0]!),
      publicShares: publicPoints.map((p) => PublicKey.fromPoint(p)),
      secretShare,
    };
  });
  return { qualified, disqualified, validators, ownShareCulprits };
}

function weightsFor(
  config: CeremonyConfig,
  qualified: readonly number[],
): { coefficients: bigint[]; multiplier: bigint } | undefined {
  // Resharing: the new shares interpolate the old polynomial at 0 over the qualified dealers' indices.
  if (!config.reshare || qualified.length === 0) return undefined;
  const integer = lagrangeIntegerForm(qualified);
  if (integer) return { coefficients: [...integer.coefficients], multiplier: integer.multiplier };
  return { coefficients: lagrangeCoefficientsAtZero(qualified), multiplier: 1n };
}

function sumsFor(
  config: CeremonyConfig,
  dealers: readonly DealerView[],
  qualified: readonly number[],
): G1Point[][] {
  const weights = weightsFor(config, qualified);
  const out: G1Point[][] = [];
  for (let v = 0; v < config.validatorCount; v++) {
    out.push(
      sumCommitments(
        qualified.map((d) => dealers[d - 1]!.parsed!.commitments[v]!),
        weights,
      ),
    );
  }
  return out;
}
