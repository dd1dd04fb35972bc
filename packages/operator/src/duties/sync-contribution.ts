// Sync committee contributions (altair validator.md "Sync committee contributions"): for each
// subcommittee the validator sits in, sign the selection proof over SyncAggregatorSelectionData
// under DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF (a fixed value: the validator client starts it at the
// slot's start, so the committee's partial exchange is over by the time contributions are due);
// when contributions are due (CONTRIBUTION_DUE_BPS, two thirds into the slot) a selected aggregator
// asks the node for the contribution to the block root its sync message signed, agrees with the
// committee on one ContributionAndProof, and signs and publishes it under
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

function target(ctx: step.DutyContext, validatorIndex: number, slot: number, subcommitteeIndex: number) {
  return step.withinSlot(
    ctx,
    'sync-committee-contribution',
    validatorIndex,
    slot,
    ctx.spec.contributionDueBps,
    subcommitteeIndex,
  );
}

/**
 * Starts signing the selection proof of one subcommittee now. The promise rejects as the
 * contribution would end (a `DutyEnd`), which `contributeToSyncCommittee` turns into its outcome;
 * it is marked handled here, since it may reject before anyone awaits it.
 */
export function signSyncSelectionProof(
  ctx: step.DutyContext,
  validatorIndex: number,
  slot: number,
  subcommitteeIndex: number,
): Promise<Uint8Array> {
  const proof = step.sign(
    ctx,
    target(ctx, validatorIndex, slot, subcommitteeIndex),
    'sync-committee-selection-proof',
    syncCommitteeSelectionProofSigningRoot(ctx.signing, slot, subcommitteeIndex),
  );
  proof.catch(() => {});
  return proof;
}

export function contributeToSyncCommittee(
  ctx: step.DutyContext,
  validatorIndex: number,
  slot: number,
  subcommitteeIndex: number,
  beaconBlockRoot: Uint8Array,
  /** From `signSyncSelectionProof` (signed now when absent). */
  selection?: Promise<Uint8Array>,
): Promise<DutyOutcome> {
  const t = target(ctx, validatorIndex, slot, subcommitteeIndex);
  return step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const selectionProof = await (selection ??
      signSyncSelectionProof(ctx, validatorIndex, slot, subcommitteeIndex));
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
