// A ThresholdSigner whose share holders all live in this process (dev and tests): a decision is
// this node's own value (every holder sees the same beacon node), and for every signing root it asks `threshold` holders for a partial signature, a different subset each time
// (the start rotates through the committee), and combines them with bls-threshold's robust
// combination, which verifies every partial and the result against the group key.
import type { Bls, PublicKey, SecretKeyShare } from '@diva-dvt/bls-threshold';
import type { ValueType } from '@diva-dvt/consensus';
import { OperatorError } from './errors.ts';
import type { DecidedValue, SigningDuty, ThresholdSigner } from './signer.ts';

export interface LocalValidatorShares {
  readonly validatorIndex: number;
  /** Every holder's share (1-based `shareIndex`), at least `threshold` of them. */
  readonly shares: readonly SecretKeyShare[];
  /** Public shares in committee order: `publicShares[i]` belongs to share index i + 1. */
  readonly publicShares: readonly PublicKey[];
  readonly groupPublicKey: PublicKey;
  readonly threshold: number;
}

export interface LocalThresholdSignerParameters {
  readonly bls: Bls;
  readonly validators: readonly LocalValidatorShares[];
}

export interface LocalThresholdSigner extends ThresholdSigner {
  /** Group signatures made so far. */
  readonly combinedCount: number;
  /** Partial signatures made so far, by share index (all validators). */
  readonly partialsByShareIndex: ReadonlyMap<number, number>;
}

export function createLocalThresholdSigner(parameters: LocalThresholdSignerParameters): LocalThresholdSigner {
  const { bls } = parameters;
  const byIndex = new Map<number, LocalValidatorShares>();
  for (const [i, v] of parameters.validators.entries()) {
    if (byIndex.has(v.validatorIndex)) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `validators[${i}].validatorIndex`,
        reason: `validator ${v.validatorIndex} listed twice`,
      });
    }
    if (!Number.isInteger(v.threshold) || v.threshold < 1 || v.threshold > v.shares.length) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `validators[${i}].threshold`,
        reason: `need 1 <= threshold <= ${v.shares.length} shares`,
      });
    }
    byIndex.set(v.validatorIndex, v);
  }
  let turn = 0;
  let combinedCount = 0;
  const partialsByShareIndex = new Map<number, number>();

  return {
    get combinedCount() {
      return combinedCount;
    },
    partialsByShareIndex,
    /** Every holder sees this node's value, so the decision is `ownValue` (checked as a peer would). */
    async decide<V>(ownValue: V, valueType: ValueType<V>, duty: SigningDuty): Promise<DecidedValue<V>> {
      if (!valueType.isValid(ownValue)) {
        throw new OperatorError({
          code: 'UNEXPECTED_RESPONSE',
          duty: duty.type,
          field: 'value',
          reason: 'the value does not fit the duty',
        });
      }
      return { value: ownValue, signature: await sign(valueType.signingRoot(ownValue), duty) };
    },
    sign,
  };

  async function sign(signingRoot: Uint8Array, duty: SigningDuty): Promise<Uint8Array> {
    const v = byIndex.get(duty.validatorIndex);
    if (v === undefined) {
      throw new OperatorError({ code: 'UNKNOWN_VALIDATOR', validatorIndex: duty.validatorIndex });
    }
    const n = v.shares.length;
    const start = turn++ % n;
    const partials = Array.from({ length: v.threshold }, (_, k) => {
      const share = v.shares[(start + k) % n] as SecretKeyShare;
      partialsByShareIndex.set(share.shareIndex, (partialsByShareIndex.get(share.shareIndex) ?? 0) + 1);
      return bls.signPartial(share, signingRoot);
    });
    const result = bls.robustCombine({
      groupPublicKey: v.groupPublicKey,
      publicShares: v.publicShares,
      threshold: v.threshold,
      message: signingRoot,
      partials,
    });
    if (!result.ok) {
      throw new OperatorError({
        code: 'COMBINE_FAILED',
        validatorIndex: duty.validatorIndex,
        duty: duty.type,
        invalidShareIndices: result.invalidIndices,
        validCount: result.validCount,
        threshold: v.threshold,
      });
    }
    combinedCount++;
    return result.signature.bytes;
  }
}
