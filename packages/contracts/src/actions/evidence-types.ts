import type { Address, Hex } from 'viem';

/**
 * Which key share signed: the validator's draw, the generation of its shares (0 = the DKG result,
 * k = the k-th recorded resharing), the 1-based share index, and that generation's committee and n
 * public shares (the contract checks both against the hashes the DKG-result registry recorded).
 */
export type ShareRef = {
  drawId: bigint;
  generation: bigint;
  shareIndex: bigint;
  committee: readonly Address[];
  publicShares: Hex;
};

/** The evidence contract's `AttestationData` (phase0) with uint64 fields as bigint. */
export type EvidenceAttestationData = {
  slot: bigint;
  index: bigint;
  beaconBlockRoot: Hex;
  source: { epoch: bigint; root: Hex };
  target: { epoch: bigint; root: Hex };
};

/** The evidence contract's `BeaconBlockHeader` (phase0) with uint64 fields as bigint. */
export type EvidenceBlockHeader = {
  slot: bigint;
  proposerIndex: bigint;
  parentRoot: Hex;
  stateRoot: Hex;
  bodyRoot: Hex;
};

/** The contract's form of a ShareRef (a mutable committee array, as the ABI types want). */
export function shareRefArg(share: ShareRef) {
  return { ...share, committee: [...share.committee] };
}
