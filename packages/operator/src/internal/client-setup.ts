// What the validator client checks and builds before it runs: the validator indices it is given
// and the signing context from the node's spec (a bad fork schedule is INVALID_SPEC naming the field).
import { isBeaconApiError, type SpecValue } from '@diva-dvt/beacon-api';
import { createSigningContext, forkScheduleFromSpec } from '@diva-dvt/beacon-api/spec';
import { OperatorError } from '../errors.ts';

export function signingContextOf(
  spec: Readonly<Record<string, SpecValue>>,
  genesisValidatorsRoot: Uint8Array,
) {
  try {
    return createSigningContext({ genesisValidatorsRoot, schedule: forkScheduleFromSpec(spec) });
  } catch (cause) {
    const field = isBeaconApiError(cause, 'INVALID_CONFIG') ? cause.details.field : 'fork schedule';
    const reason = isBeaconApiError(cause, 'INVALID_CONFIG') ? cause.details.reason : String(cause);
    throw new OperatorError({ code: 'INVALID_SPEC', field, reason }, { cause });
  }
}

export function checkIndices(indices: readonly number[]): void {
  indices.forEach((v, i) => {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new OperatorError({
        code: 'INVALID_OPTION',
        option: `validatorIndices[${i}]`,
        reason: 'expected a validator index (a non-negative integer)',
      });
    }
  });
  if (new Set(indices).size !== indices.length) {
    throw new OperatorError({ code: 'INVALID_OPTION', option: 'validatorIndices', reason: 'duplicates' });
  }
}
