/**
 * Robust combination: what a node runs on the partial signatures its peers sent. Optimistic path:
 * combine the first t partials, then check every partial against its public share AND the combined
 * signature against the group key in one random linear combination (one hash to G2, two MSMs, one
 * 2-pairing check). Only if that fails, bisect the partials to find the invalid ones, combine t valid
 * ones and check the result against the group key.
 */
import type { BlsBackend, KeyedSignature, PreparedMessage } from './backend.ts';
import { asPrepared } from './backend.ts';
import { combinePartialSignatures, type PartialSignature } from './combine.ts';
import { BlsError } from './errors.ts';
import { checkShareIndices, checkThreshold } from './internal/indices.ts';
import type { PublicKey, Signature } from './keys.ts';

export interface RobustCombineParameters {
  /** The validator's (group) public key. */
  readonly groupPublicKey: PublicKey;
  /** Public shares in committee order: `publicShares[i]` belongs to share index i + 1. */
  readonly publicShares: readonly PublicKey[];
  /** t. */
  readonly threshold: number;
  /** The signing root (or any message) the partials sign. */
  readonly message: Uint8Array | PreparedMessage;
  /** Partials as received; each index at most once. */
  readonly partials: readonly PartialSignature[];
}

export type RobustCombineReturnType =
  | {
      readonly ok: true;
      /** The group signature, verified against the group public key. */
      readonly signature: Signature;
      /** The share indices whose partials were combined (t of them). */
      readonly usedIndices: readonly number[];
      /** Share indices whose partials failed verification: the culprits. */
      readonly invalidIndices: readonly number[];
    }
  | {
      readonly ok: false;
      readonly reason: 'NOT_ENOUGH_VALID_PARTIALS';
      readonly invalidIndices: readonly number[];
      readonly validCount: number;
    };

type Item = KeyedSignature & { readonly shareIndex: number };

function bisect(
  backend: BlsBackend,
  message: PreparedMessage,
  items: readonly Item[],
  knownBad: boolean,
): Item[] {
  if (items.length === 0) return [];
  if (!knownBad && backend.verifySameMessage(message, items)) return [];
  if (items.length === 1) return [items[0]!];
  const mid = items.length >> 1;
  const left = items.slice(0, mid);
  const right = items.slice(mid);
  const badLeft = bisect(backend, message, left, false);
  // If the whole set is bad and the left half is clean, the right half is bad: skip its check.
  const badRight = bisect(backend, message, right, knownBad && badLeft.length === 0);
  return [...badLeft, ...badRight];
}

export function robustCombine(
  backend: BlsBackend,
  parameters: RobustCombineParameters,
): RobustCombineReturnType {
  const { groupPublicKey, publicShares, threshold, partials } = parameters;
  const shareCount = publicShares.length;
  checkThreshold(threshold, shareCount);
  checkShareIndices(
    partials.map((p) => p.shareIndex),
    shareCount,
  );
  if (partials.length < threshold) {
    throw new BlsError({ code: 'NOT_ENOUGH_PARTIALS', threshold, received: partials.length });
  }
  const message = asPrepared(backend, parameters.message);
  const items: Item[] = partials.map((p) => ({
    shareIndex: p.shareIndex,
    publicKey: publicShares[p.shareIndex - 1]!,
    signature: p.signature,
  }));

  // Optimistic path: everything valid, one batch check covers the partials and the result.
  const first = partials.slice(0, threshold);
  const optimistic = combinePartialSignatures(first, { threshold, shareCount });
  if (backend.verifySameMessage(message, [...items, { publicKey: groupPublicKey, signature: optimistic }])) {
    return {
      ok: true,
      signature: optimistic,
      usedIndices: first.map((p) => p.shareIndex),
      invalidIndices: [],
    };
  }

  const bad = bisect(backend, message, items, false);
  const badSet = new Set(bad.map((b) => b.shareIndex));
  const invalidIndices = bad.map((b) => b.shareIndex).sort((a, b) => a - b);
  const valid = partials.filter((p) => !badSet.has(p.shareIndex));
  if (valid.length < threshold) {
    return { ok: false, reason: 'NOT_ENOUGH_VALID_PARTIALS', invalidIndices, validCount: valid.length };
  }
  const chosen = valid.slice(0, threshold);
  const signature = combinePartialSignatures(chosen, { threshold, shareCount });
  if (!backend.verify(groupPublicKey, message, signature)) throw new BlsError({ code: 'GROUP_KEY_MISMATCH' });
  return { ok: true, signature, usedIndices: chosen.map((p) => p.shareIndex), invalidIndices };
}
