// Sync committee contributions (altair validator.md "Sync committee contributions"): for each
// subcommittee the validator sits in, when contributions are due (CONTRIBUTION_DUE_BPS, two thirds
// into the slot), sign the selection proof over SyncAggregatorSelectionData under
// DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF; a selected aggregator asks the node for the contribution
// to the block root its sync message signed, and signs and publishes ContributionAndProof under
// DOMAIN_CONTRIBUTION_AND_PROOF. Deadline: the end of the slot (nodes refuse a contribution of a
// past slot).
import {
  type ContributionAndProof,
  contributionAndProofSigningRoot,
  ssz,
  syncCommitteeSelectionProofSigningRoot,
} from '@diva-dvt/beacon-api';
import {
  base,
  callOptions,
  checkDeadline,
  type DutyContext,
  type DutyTarget,
  publish,
  settle,
  sign,
  stage,
  unexpected,
} from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { isSyncCommitteeAggregator } from '../selection.ts';

export function contributeToSyncCommittee(
  ctx: DutyContext,
  validatorIndex: number,
  slot: number,
  subcommitteeIndex: number,
  beaconBlockRoot: Uint8Array,
): Promise<DutyOutcome> {
  const t: DutyTarget<'sync-committee-contribution'> = {
    duty: 'sync-committee-contribution',
    validatorIndex,
    slot,
    subcommitteeIndex,
    dueMs: ctx.times.atBps(slot, ctx.spec.contributionDueBps),
    deadlineMs: ctx.times.slotStartMs(slot + 1),
  };
  return settle(async () => {
    checkDeadline(ctx, t, 'before-signing');
    const selectionProof = await sign(
      ctx,
      t,
      'sync-committee-selection-proof',
      syncCommitteeSelectionProofSigningRoot(ctx.signing, slot, subcommitteeIndex),
    );
    if (!isSyncCommitteeAggregator(ctx.spec, selectionProof)) return { ...base(t), status: 'not-selected' };
    const contribution = await stage(t, 'sync-committee-contribution', 'produce', async () => {
      const c = (
        await ctx.api.produceSyncCommitteeContribution(
          { slot, subcommitteeIndex, beaconBlockRoot },
          callOptions(ctx, t),
        )
      ).data;
      if (c.slot !== slot || c.subcommitteeIndex !== subcommitteeIndex) {
        throw unexpected(
          'sync-committee-contribution',
          'contribution',
          `slot ${c.slot} subcommittee ${c.subcommitteeIndex}, asked for ${slot} and ${subcommitteeIndex}`,
        );
      }
      if (!ssz.Root.equals(c.beaconBlockRoot, beaconBlockRoot)) {
        throw unexpected(
          'sync-committee-contribution',
          'contribution.beaconBlockRoot',
          'not the root asked for',
        );
      }
      return c;
    });
    const message: ContributionAndProof = { aggregatorIndex: validatorIndex, contribution, selectionProof };
    const signature = await sign(
      ctx,
      t,
      'sync-committee-contribution',
      contributionAndProofSigningRoot(ctx.signing, message),
    );
    const signed = { message, signature };
    return publish(ctx, t, 'sync-committee-contribution', signed, () =>
      ctx.api.publishContributionAndProofs({ data: [signed] }, callOptions(ctx, t)),
    );
  });
}
