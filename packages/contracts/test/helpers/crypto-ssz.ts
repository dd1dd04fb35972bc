// What the contract tests need on top of @diva-dvt/beacon-api's SSZ types (Lodestar's, re-exported as
// `ssz`) and signing helpers: the deposit contract's list type, and uint64 conversion between SSZ
// values (numbers; Lodestar writes FAR_FUTURE_EPOCH as Infinity) and the contract ABI (bigint).
import { ListCompositeType } from '@chainsafe/ssz';
import { ssz } from '@diva-dvt/beacon-api/spec';

/** The deposit contract's list, List[DepositData, 2**32]: its root is get_deposit_root(). */
export const DepositDataList = new ListCompositeType(ssz.phase0.DepositData, 2 ** 32);

const MAX_UINT64 = 2n ** 64n - 1n;

/** An SSZ uint64 number as the contract ABI takes it (Infinity is 2^64 - 1). */
export function u64(value: number): bigint {
  return value === Number.POSITIVE_INFINITY ? MAX_UINT64 : BigInt(value);
}
