import { BlsError } from '../errors.ts';

/** Checks 1 <= t <= n with integers. */
export function checkThreshold(threshold: number, shareCount: number): void {
  if (
    !Number.isSafeInteger(threshold) ||
    !Number.isSafeInteger(shareCount) ||
    threshold < 1 ||
    shareCount < 1 ||
    threshold > shareCount
  ) {
    throw new BlsError({ code: 'INVALID_THRESHOLD', threshold, shareCount });
  }
}

/** Checks that one share index is an integer in 1..2^32-1. */
export function checkShareIndex(shareIndex: number, field: string): void {
  if (!Number.isSafeInteger(shareIndex) || shareIndex < 1 || shareIndex > 0xffff_ffff) {
    throw new BlsError({ code: 'INVALID_SHARE_INDEX', shareIndex, shareCount: undefined, field });
  }
}

/**
 * Checks that share indices are integers in 1..shareCount (or 1..2^32-1 when the committee size is
 * not known) and pairwise distinct.
 */
export function checkShareIndices(indices: readonly number[], shareCount?: number): void {
  const max = shareCount ?? 0xffff_ffff;
  const seen = new Set<number>();
  for (let i = 0; i < indices.length; i++) {
    const shareIndex = indices[i]!;
    if (!Number.isSafeInteger(shareIndex) || shareIndex < 1 || shareIndex > max) {
      throw new BlsError({ code: 'INVALID_SHARE_INDEX', shareIndex, shareCount, index: i });
    }
    if (seen.has(shareIndex)) throw new BlsError({ code: 'DUPLICATE_SHARE_INDEX', shareIndex, index: i });
    seen.add(shareIndex);
  }
}
