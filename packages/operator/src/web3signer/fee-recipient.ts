// The verifying signer's check of a block's fee recipient. Bellatrix-on BLOCK_V2 requests carry
// only the block header, so the signer cannot see whom the block pays; Nimbus's validator client
// (`--proven-block-property=.execution_payload.fee_recipient`) adds `proofs: [{index, proof}]`, a
// Merkle branch of the block body. With the expected fee recipient as the leaf, the branch must
// lead to the header's `body_root` (the spec's is_valid_merkle_branch), as Nimbus's signing node
// checks it. The branch carries no leaf, so a block paying someone else and a corrupt branch look
// the same: neither proves the expected fee recipient. A blinded body has the payload header at the
// same position, with fee_recipient at the same index, so one generalized index fits both.

import { type Fork, forkAtLeast, ssz, sszTypesFor } from '@diva-dvt/beacon-api/spec';
import { sha256 } from '@noble/hashes/sha2.js';
import type { BlockPropertyProof } from './types.ts';

/**
 * The generalized index of `execution_payload.fee_recipient` in the block body of `fork`
 * (401 bellatrix and capella, 801 deneb on); undefined before bellatrix (no execution payload).
 */
export function feeRecipientGindex(fork: Fork): bigint | undefined {
  if (!forkAtLeast(fork, 'bellatrix')) return undefined;
  const body = (sszTypesFor(fork as never) as unknown as Record<string, typeof ssz.bellatrix.BeaconBlockBody>)
    .BeaconBlockBody as typeof ssz.bellatrix.BeaconBlockBody;
  return body.getPathInfo(['executionPayload', 'feeRecipient']).gindex;
}

/** is_valid_merkle_branch for a generalized index: `branch` holds the siblings from the leaf up. */
export function isValidMerkleBranch(
  leaf: Uint8Array,
  branch: readonly Uint8Array[],
  gindex: bigint,
  root: Uint8Array,
): boolean {
  if (gindex < 1n || leaf.length !== 32 || root.length !== 32) return false;
  const depth = gindex.toString(2).length - 1;
  if (branch.length !== depth) return false;
  let value = leaf;
  const pair = new Uint8Array(64);
  for (let i = 0; i < depth; i++) {
    const sibling = branch[i] as Uint8Array;
    if (sibling.length !== 32) return false;
    const right = ((gindex >> BigInt(i)) & 1n) === 1n; // this node is its parent's right child
    pair.set(right ? sibling : value, 0);
    pair.set(right ? value : sibling, 32);
    value = sha256(pair);
  }
  return Buffer.compare(Buffer.from(value), Buffer.from(root)) === 0;
}

/** Why a block's fee recipient is not proven; `field` is the request's JSON path. */
export interface FeeRecipientProofFault {
  readonly field: string;
  readonly reason: string;
}

/**
 * Checks that `proofs` prove `expected` (20 bytes) as the fee recipient of the block body whose
 * root is `bodyRoot`. Returns undefined when proven, else the fault (the API answers 400).
 */
export function checkFeeRecipientProof(
  fork: Fork,
  bodyRoot: Uint8Array,
  proofs: readonly BlockPropertyProof[],
  expected: Uint8Array,
): FeeRecipientProofFault | undefined {
  const gindex = feeRecipientGindex(fork);
  if (gindex === undefined) {
    return {
      field: 'beacon_block.version',
      reason: `a ${fork} block has no fee recipient to prove, and a fee recipient is configured for this key`,
    };
  }
  const i = proofs.findIndex((p) => p.index === gindex);
  if (i < 0) {
    return {
      field: 'proofs',
      reason: `no proof of execution_payload.fee_recipient (generalized index ${gindex} for ${fork}); a fee recipient is configured for this key`,
    };
  }
  const leaf = ssz.ExecutionAddress.hashTreeRoot(expected);
  if (!isValidMerkleBranch(leaf, (proofs[i] as BlockPropertyProof).proof, gindex, bodyRoot)) {
    return {
      field: `proofs[${i}]`,
      reason: `does not prove fee recipient 0x${Buffer.from(expected).toString('hex')} against block_header.body_root: the block pays someone else or the proof is wrong`,
    };
  }
  return undefined;
}
