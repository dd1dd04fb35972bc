// The deposit signatures of a ceremony's validators: each member signs every validator's deposit
// message (DepositMessage under the deposit domain of the ceremony's fork version) with its share;
// any t partials combine into the group signature, which is the same whichever t are used (BLS is
// deterministic), so every operator writes byte-identical deposit data. Partials are checked in one
// batch per validator by `Bls.robustCombine` (optimistic: one 2-pairing check; invalid ones are found
// by bisection and their senders named).
import { depositSigningRoot } from '@diva-dvt/beacon-api/spec';
import { type Bls, Signature } from '@diva-dvt/bls-threshold';
import type { DkgResult } from '@diva-dvt/dkg';
import type { CeremonyFile } from './ceremony-file.ts';

/** A deposit frame as received (./frames.ts). */
export interface DepositPartials {
  readonly transcriptHash: Uint8Array;
  readonly shareIndex: number;
  readonly signatures: readonly Uint8Array[];
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The signing root of each validator's deposit message, in ceremony order. */
export function depositSigningRoots(ceremony: CeremonyFile, result: DkgResult): Uint8Array[] {
  return result.validators.map((v) =>
    depositSigningRoot(ceremony.forkVersion, {
      pubkey: v.groupPublicKey.bytes,
      withdrawalCredentials: ceremony.withdrawalCredentials,
      amount: ceremony.amountGwei,
    }),
  );
}

/** This member's partial signature of each root (its share of each validator). */
export function signDepositPartials(bls: Bls, result: DkgResult, roots: readonly Uint8Array[]): Uint8Array[] {
  const shareIndex = result.shareIndex as number;
  return result.validators.map(
    (v, i) => bls.signPartial({ shareIndex, secretKey: v.secretShare! }, roots[i]!).signature.bytes,
  );
}

/** The signatures, or undefined when one is not a valid G2 point. */
function parseSignatures(bytes: readonly Uint8Array[]): Signature[] | undefined {
  try {
    return bytes.map((b) => Signature.fromBytes(b));
  } catch {
    return undefined;
  }
}

export interface CombineDepositsParameters {
  readonly bls: Bls;
  readonly result: DkgResult;
  readonly roots: readonly Uint8Array[];
  /** Operator addresses in share-index order. */
  readonly operators: readonly string[];
  /** Partials received, by sender address (this member's own included). */
  readonly received: ReadonlyMap<string, DepositPartials>;
  /** Senders found at fault so far; added to here. */
  readonly faulty: Set<string>;
}

/**
 * The group signature of every validator once t usable partials are in, else undefined. A partial
 * that is malformed, for another transcript, under another share index or that does not verify puts
 * its sender in `faulty` (and out of later attempts). Returns how many senders are usable too.
 */
export function combineDeposits(parameters: CombineDepositsParameters): {
  readonly signatures: Uint8Array[] | undefined;
  readonly usable: number;
} {
  const { bls, result, roots, operators, received, faulty } = parameters;
  const t = result.threshold;
  const candidates = new Map<number, Signature[]>();
  for (const [from, d] of received) {
    if (faulty.has(from)) continue;
    const shareIndex = operators.indexOf(from) + 1;
    const signatures =
      d.shareIndex === shareIndex &&
      equal(d.transcriptHash, result.transcriptHash) &&
      d.signatures.length === roots.length
        ? parseSignatures(d.signatures)
        : undefined;
    if (signatures === undefined) faulty.add(from);
    else candidates.set(shareIndex, signatures);
  }
  while (candidates.size >= t) {
    const signatures: Uint8Array[] = [];
    const invalid = new Set<number>();
    for (const [i, v] of result.validators.entries()) {
      const combined = bls.robustCombine({
        groupPublicKey: v.groupPublicKey,
        publicShares: v.publicShares,
        threshold: t,
        message: roots[i]!,
        partials: [...candidates].map(([shareIndex, sigs]) => ({ shareIndex, signature: sigs[i]! })),
      });
      for (const index of combined.invalidIndices) invalid.add(index);
      if (combined.ok) signatures.push(combined.signature.bytes);
    }
    if (invalid.size === 0) {
      return {
        signatures: signatures.length === roots.length ? signatures : undefined,
        usable: candidates.size,
      };
    }
    for (const index of invalid) {
      candidates.delete(index);
      faulty.add(operators[index - 1]!);
    }
  }
  return { signatures: undefined, usable: candidates.size };
}
