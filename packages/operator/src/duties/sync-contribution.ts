// Sync committee contributions (altair validator.md "Sync committee contributions"): for each
// subcommittee the validator sits in, when contributions are due (CONTRIBUTION_DUE_BPS, two thirds
// into the slot), sign the selection proof over SyncAggregatorSelectionData under
// DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF; a selected aggregator asks the node for the contribution
// to the block root its sync message signed, agrees with the committee on one ContributionAndProof,
// and signs and publishes it under
// DOMAIN_CONTRIBUTION_AND_PROOF. Deadline: the end of the slot (nodes refuse a contribution of a
// past slot).
import {
  type ContributionAndProof,
  ssz,
  syncCommitteeSelectionProofSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { isSyncCommitteeAggregator } from '../selection.ts';
import { contributionValue } from './values.ts';

export function contributeToSyncCommittee(
  ctx: step.DutyContext,
  validatorIndex: number,
  slot: number,
  subcommitteeIndex: number,
  beaconBlockRoot: Uint8Array,
): Promise<DutyOutcome> {
  const t = step.withinSlot(
    ctx,
    'sync-committee-contribution',
    validatorIndex,
    slot,
    ctx.spec.contributionDueBps,
    subcommitteeIndex,
  );
  return step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const selectionProof = await step.sign(
      ctx,
      t,
      'sync-committee-selection-proof',
      syncCommitteeSelectionProofSigningRoot(ctx.signing, slot, subcommitteeIndex),
    );
    if (!isSyncCommitteeAggregator(ctx.spec, selectionProof))
      return { ...step.base(t), status: 'not-selected' };
    const contribution = await step.stage(ctx, t, 'sync-committee-contribution', 'produce', async () => {
      const key = `contribution/${subcommitteeIndex}/${Buffer.from(beaconBlockRoot).toString('hex')}`;
      const c = (
        await ctx.shared.get(slot, key, () =>
          ctx.api.produceSyncCommitteeContribution(
            { slot, subcommitteeIndex, beaconBlockRoot },
            step.callOptions(ctx, t),
          ),
        )
      ).data;
      if (c.slot !== slot || c.subcommitteeIndex !== subcommitteeIndex) {
        throw step.unexpected(
          'sync-committee-contribution',
          'contribution',
          `slot ${c.slot} subcommittee ${c.subcommitteeIndex}, asked for ${slot} and ${subcommitteeIndex}`,
        );
      }
      if (!ssz.Root.equals(c.beaconBlockRoot, beaconBlockRoot)) {
        throw step.unexpected(
          'sync-committee-contribution',
          'contribution.beaconBlockRoot',
          'not the root asked for',
        );
      }
      return c;
    });
    const message: ContributionAndProof = { aggregatorIndex: validatorIndex, contribution, selectionProof };
    const decided = await step.decide(
      ctx,
      t,
      'sync-committee-contribution',
      message,
      contributionValue(ctx.signing, {
        slot,
        subcommitteeIndex,
        aggregatorIndex: validatorIndex,
        beaconBlockRoot,
        selectionProof,
      }),
    );
    const signed = { message: decided.value, signature: decided.signature };
    return step.publish(ctx, t, 'sync-committee-contribution', signed, (opts) =>
      ctx.api.publishContributionAndProofs({ data: [signed] }, opts),
    );
  });
}
