// The consensus PartialScheme over threshold BLS from @diva-dvt/bls-threshold (a dev dependency:
// the package itself imports nothing of ours). Used by the real-BLS tests and the benchmark.
import type { Bls, Signature, SplitSecretKeyReturnType } from '@diva-dvt/bls-threshold';
import { combinePartialSignatures } from '@diva-dvt/bls-threshold';
import type { PartialScheme } from '../../src/index.ts';

/** Member `member`'s (1-based) scheme for an 11-of-16-style split of one key. */
export function thresholdBlsScheme(
  bls: Bls,
  split: SplitSecretKeyReturnType,
  member: number,
): PartialScheme<Signature, Signature> {
  const n = split.shares.length;
  const publicShares = split.publicShares.map((p) => p.publicKey);
  return {
    signPartial: (root) => bls.sign(split.shares[member - 1]!.secretKey, root),
    verifyPartial: (m, root, p) => m >= 1 && m <= n && bls.verify(publicShares[m - 1]!, root, p),
    combine: (_root, parts) =>
      combinePartialSignatures(
        parts.map((p) => ({ shareIndex: p.member, signature: p.partial })),
        { threshold: split.threshold },
      ),
    verifyCombined: (root, s) => bls.verify(split.groupPublicKey, root, s),
    encodePartial: (s) => s.bytes,
    decodePartial: (b) => bls.signatureFromBytes(b),
    encodeSignature: (s) => s.bytes,
    decodeSignature: (b) => bls.signatureFromBytes(b),
  };
}
