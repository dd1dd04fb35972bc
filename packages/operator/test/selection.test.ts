// Aggregator selection, checked against Lodestar's own is_aggregator (@lodestar/state-transition,
// minimal preset in this process: TARGET_AGGREGATORS_PER_COMMITTEE 16).
import { randomBytes } from 'node:crypto';
import { isAggregatorFromCommitteeLength } from '@lodestar/state-transition';
import { describe, expect, it } from 'vitest';
import { isAttestationAggregator, isSyncCommitteeAggregator, syncSubcommitteesOf } from '../src/index.ts';

const proofs = Array.from({ length: 200 }, () => randomBytes(96));

describe('aggregator selection', () => {
  it('selects attestation aggregators as Lodestar does, for every committee size', () => {
    let selected = 0;
    for (const committeeLength of [1, 15, 16, 31, 32, 100, 128, 511, 2048]) {
      for (const proof of proofs) {
        const ours = isAttestationAggregator({ targetAggregatorsPerCommittee: 16 }, committeeLength, proof);
        expect(ours).toBe(isAggregatorFromCommitteeLength(committeeLength, proof));
        if (ours) selected++;
      }
    }
    // small committees always aggregate, large ones rarely: the check is not constant
    expect(selected).toBeGreaterThan(3 * proofs.length);
    expect(selected).toBeLessThan(9 * proofs.length);
  });

  it('selects sync committee aggregators with modulo subcommittee size / target', () => {
    for (const proof of proofs) {
      // mainnet: 512 / 4 subnets / 16 targets = modulo 8, which is is_aggregator's for a committee of 128
      expect(
        isSyncCommitteeAggregator(
          { syncSubcommitteeSize: 128, targetAggregatorsPerSyncSubcommittee: 16 },
          proof,
        ),
      ).toBe(isAggregatorFromCommitteeLength(128, proof));
      // minimal: subcommittees of 8 with 16 targets: everyone aggregates
      expect(
        isSyncCommitteeAggregator(
          { syncSubcommitteeSize: 8, targetAggregatorsPerSyncSubcommittee: 16 },
          proof,
        ),
      ).toBe(true);
    }
  });

  it('maps sync committee positions to their subcommittees', () => {
    expect(syncSubcommitteesOf({ syncSubcommitteeSize: 8 }, [17, 3, 5, 31])).toEqual([0, 2, 3]);
    expect(syncSubcommitteesOf({ syncSubcommitteeSize: 128 }, [])).toEqual([]);
  });
});
