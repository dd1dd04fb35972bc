/**
 * Transcript certification: a result counts when t recipients signed the same transcript hash. At
 * most one hash can reach t (t > n/2 and honest members sign once), so two keys can never both be
 * certified.
 */
export interface SignedTranscript {
  readonly hash: Uint8Array;
  readonly envelope: Uint8Array;
  readonly qualified: readonly number[];
  readonly digests: readonly Uint8Array[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const hex = (b: Uint8Array) => {
  let s = '';
  for (const x of b) s += HEX[x];
  return s;
};

export type Certification =
  | { readonly status: 'certified'; readonly signers: number[] }
  | { readonly status: 'other-certified'; readonly signers: number[]; readonly theirs: SignedTranscript }
  | { readonly status: 'pending'; readonly matching: number };

export function certify(
  transcripts: ReadonlyMap<number, SignedTranscript>,
  mine: Uint8Array,
  threshold: number,
): Certification {
  const groups = new Map<string, number[]>();
  for (const [from, t] of transcripts) groups.set(hex(t.hash), [...(groups.get(hex(t.hash)) ?? []), from]);
  const matching = groups.get(hex(mine)) ?? [];
  if (matching.length >= threshold) return { status: 'certified', signers: matching.sort((a, b) => a - b) };
  for (const [key, signers] of groups) {
    if (key !== hex(mine) && signers.length >= threshold) {
      return { status: 'other-certified', signers, theirs: transcripts.get(signers[0]!)! };
    }
  }
  return { status: 'pending', matching: matching.length };
}

/** Dealer positions on which another transcript's view differs from ours (digest or membership). */
export function divergentDealers(
  theirs: SignedTranscript,
  myDigests: readonly (Uint8Array | undefined)[],
  myQualified: readonly number[],
): number[] {
  const zero = new Uint8Array(32);
  return myDigests
    .map((_, i) => i + 1)
    .filter(
      (d) =>
        hex(theirs.digests[d - 1] ?? zero) !== hex(myDigests[d - 1] ?? zero) ||
        theirs.qualified.includes(d) !== myQualified.includes(d),
    );
}
