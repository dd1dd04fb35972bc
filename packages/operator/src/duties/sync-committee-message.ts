// Sync committee message (altair validator.md "Sync committee messages"): when sync messages are
// due (SYNC_MESSAGE_DUE_BPS, a third into the slot), agree with the committee on a head block root
// (the node's head is this member's candidate), sign it under
// DOMAIN_SYNC_COMMITTEE and submit it to the pool. Deadline: the end of the slot.
import type { SyncDuty } from '@diva-dvt/beacon-api';
import type { SyncCommitteeMessage } from '@diva-dvt/beacon-api/spec';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';
import { syncHeadRootValue } from './values.ts';

export interface SyncMessageResult {
  readonly outcome: DutyOutcome;
  /** The head root the message signed (also when it was then dropped), for the contributions. */
  readonly beaconBlockRoot: Uint8Array | undefined;
}

export async function sendSyncCommitteeMessage(
  ctx: step.DutyContext,
  duty: SyncDuty,
  slot: number,
): Promise<SyncMessageResult> {
  const t = step.withinSlot(
    ctx,
    'sync-committee-message',
    duty.validatorIndex,
    slot,
    ctx.spec.syncMessageDueBps,
  );
  let beaconBlockRoot: Uint8Array | undefined;
  const outcome = await step.settle(async () => {
    step.checkDeadline(ctx, t, 'before-signing');
    const root = await step.stage(
      ctx,
      t,
      'sync-committee-message',
      'produce',
      async () =>
        (
          await ctx.shared.get(slot, 'head', () =>
            ctx.api.getBlockHeader({ blockId: 'head' }, step.callOptions(ctx, t)),
          )
        ).data.root,
    );
    beaconBlockRoot = root;
    const decided = await step.decide(
      ctx,
      t,
      'sync-committee-message',
      root,
      syncHeadRootValue(ctx.signing, slot),
    );
    beaconBlockRoot = decided.value;
    const { signature } = decided;
    const message: SyncCommitteeMessage = {
      slot,
      beaconBlockRoot: decided.value,
      validatorIndex: duty.validatorIndex,
      signature,
    };
    return step.publish(ctx, t, 'sync-committee-message', message, (opts) =>
      ctx.api.submitPoolSyncCommitteeSignatures({ data: [message] }, opts),
    );
  });
  return { outcome, beaconBlockRoot };
}
