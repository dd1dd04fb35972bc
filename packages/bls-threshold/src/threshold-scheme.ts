/**
 * `createThresholdScheme`: one committee member's threshold-BLS signing scheme, the object an
 * operator runtime hands to consensus. Its shape is exactly @diva-dvt/consensus's
 * `PartialScheme<Signature, Signature>` (this package does not import consensus: the match is
 * structural): the member signs partials with its secret share, checks other members' partials
 * against their public shares, combines t of them by Lagrange interpolation and checks the result
 * against the group public key. Members are 1-based share indices.
 */
import type { Bls } from './bls.ts';
import { combinePartialSignatures, combinePublicShares } from './combine.ts';
import { BlsError } from './errors.ts';
import { checkShareIndex, checkThreshold } from './internal/indices.ts';
import type { PublicKey, SecretKey, Signature } from './keys.ts';

export interface CreateThresholdSchemeParameters {
  /** This member's 1-based share index. */
  readonly shareIndex: number;
  /** This member's secret share (the key of share `shareIndex`). */
  readonly secretShare: SecretKey;
  /** Every member's public share: `publicShares[i]` belongs to share index i + 1. */
  readonly publicShares: readonly PublicKey[];
  /** The validator's public key, which t partials combine to. */
  readonly groupPublicKey: PublicKey;
  /** t: how many partials a signature needs. */
  readonly threshold: number;
}

/** One member's threshold-BLS scheme; structurally @diva-dvt/consensus's `PartialScheme<Signature, Signature>`. */
export interface ThresholdScheme {
  /** This member's partial signature over a root. */
  signPartial(root: Uint8Array): Signature;
  /** Checks member `member`'s (1-based) partial against its public share; false for an unknown member. */
  verifyPartial(member: number, root: Uint8Array, partial: Signature): boolean;
  /** Combines partials of at least t distinct members (throws `BlsError` otherwise). */
  combine(root: Uint8Array, partials: readonly { member: number; partial: Signature }[]): Signature;
  /** Checks a combined signature against the group public key. */
  verifyCombined(root: Uint8Array, signature: Signature): boolean;
  encodePartial(partial: Signature): Uint8Array;
  /** Parses a 96-byte compressed partial; throws `BlsError` on malformed bytes. */
  decodePartial(bytes: Uint8Array): Signature;
  encodeSignature(signature: Signature): Uint8Array;
  /** Parses a 96-byte compressed signature; throws `BlsError` on malformed bytes. */
  decodeSignature(bytes: Uint8Array): Signature;
}

/**
 * Member `shareIndex`'s scheme. Checks at creation that its secret share matches its public share
 * (`PUBLIC_SHARE_MISMATCH`) and that the first t public shares combine to the group key
 * (`GROUP_KEY_MISMATCH`), so a misconfigured member fails here rather than at every combination.
 */
export function createThresholdScheme(
  bls: Bls,
  parameters: CreateThresholdSchemeParameters,
): ThresholdScheme {
  const { shareIndex, secretShare, publicShares, groupPublicKey, threshold } = parameters;
  const n = publicShares.length;
  checkThreshold(threshold, n);
  checkShareIndex(shareIndex, 'shareIndex');
  if (shareIndex > n) {
    throw new BlsError({ code: 'INVALID_SHARE_INDEX', shareIndex, shareCount: n, field: 'shareIndex' });
  }
  if (!secretShare.toPublicKey().equals(publicShares[shareIndex - 1]!)) {
    throw new BlsError({ code: 'PUBLIC_SHARE_MISMATCH', shareIndex });
  }
  const firstT = publicShares.slice(0, threshold).map((publicKey, i) => ({ shareIndex: i + 1, publicKey }));
  if (!combinePublicShares(firstT, { threshold, shareCount: n }).equals(groupPublicKey)) {
    throw new BlsError({ code: 'GROUP_KEY_MISMATCH' });
  }
  return {
    signPartial: (root) => bls.sign(secretShare, root),
    verifyPartial: (member, root, partial) =>
      Number.isInteger(member) &&
      member >= 1 &&
      member <= n &&
      bls.verify(publicShares[member - 1]!, root, partial),
    combine: (_root, partials) =>
      combinePartialSignatures(
        partials.map((p) => ({ shareIndex: p.member, signature: p.partial })),
        { threshold, shareCount: n },
      ),
    verifyCombined: (root, signature) => bls.verify(groupPublicKey, root, signature),
    encodePartial: (partial) => partial.bytes,
    decodePartial: (bytes) => bls.signatureFromBytes(bytes, { field: 'partial' }),
    encodeSignature: (signature) => signature.bytes,
    decodeSignature: (bytes) => bls.signatureFromBytes(bytes, { field: 'signature' }),
  };
}
