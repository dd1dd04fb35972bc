// Aggregator selection (phase0 and altair validator.md): a validator aggregates when the first 8
// bytes of sha256(selection proof), read little-endian, are 0 modulo
// max(1, committee size / target aggregators). The proof is the validator's signature over the slot
// (attestations) or over SyncAggregatorSelectionData (sync committee).
import { createHash } from 'node:crypto';
import type { ValidatorSpec } from './spec.ts';

function selected(modulo: number, selectionProof: Uint8Array): boolean {
  const digest = createHash('sha256').update(selectionProof).digest();
  return digest.readBigUInt64LE(0) % BigInt(modulo) === 0n;
}

/** is_aggregator: whether a member of a committee of `committeeLength` aggregates it. */
export function isAttestationAggregator(
  spec: Pick<ValidatorSpec, 'targetAggregatorsPerCommittee'>,
  committeeLength: number,
  selectionProof: Uint8Array,
): boolean {
  return selected(
    Math.max(1, Math.floor(committeeLength / spec.targetAggregatorsPerCommittee)),
    selectionProof,
  );
}

/** is_sync_committee_aggregator: whether a sync committee member aggregates its subcommittee. */
export function isSyncCommitteeAggregator(
  spec: Pick<ValidatorSpec, 'syncSubcommitteeSize' | 'targetAggregatorsPerSyncSubcommittee'>,
  selectionProof: Uint8Array,
): boolean {
  return selected(
    Math.max(1, Math.floor(spec.syncSubcommitteeSize / spec.targetAggregatorsPerSyncSubcommittee)),
    selectionProof,
  );
}

/** The subcommittees a validator's sync committee positions fall in, ascending. */
export function syncSubcommitteesOf(
  spec: Pick<ValidatorSpec, 'syncSubcommitteeSize'>,
  validatorSyncCommitteeIndices: readonly number[],
): number[] {
  const set = new Set(validatorSyncCommitteeIndices.map((i) => Math.floor(i / spec.syncSubcommitteeSize)));
  return [...set].sort((a, b) => a - b);
}
