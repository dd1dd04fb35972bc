// Sync committee message (altair validator.md "Sync committee messages"): when sync messages are
// due (SYNC_MESSAGE_DUE_BPS, a third into the slot), sign the node's head block root under
// DOMAIN_SYNC_COMMITTEE and submit it to the pool. Deadline: the end of the slot.
import type { SyncCommitteeMessage, SyncDuty } from '@diva-dvt/beacon-api';
import { syncCommitteeMessageSigningRoot } from '@diva-dvt/beacon-api';
import {
  callOptions,
  checkDeadline,
  type DutyContext,
  type DutyTarget,
  publish,
  settle,
  sign,
  stage,
} from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';

export interface SyncMessageResult {
  readonly outcome: DutyOutcome;
  /** The head root the message signed (also when it was then dropped), for the contributions. */
  readonly beaconBlockRoot: Uint8Array | undefined;
}

export async function sendSyncCommitteeMessage(
  ctx: DutyContext,
  duty: SyncDuty,
  slot: number,
): Promise<SyncMessageResult> {
  const t: DutyTarget<'sync-committee-message'> = {
    duty: 'sync-committee-message',
    validatorIndex: duty.validatorIndex,
    slot,
    dueMs: ctx.times.atBps(slot, ctx.spec.syncMessageDueBps),
    deadlineMs: ctx.times.slotStartMs(slot + 1),
  };
  let beaconBlockRoot: Uint8Array | undefined;
  const outcome = await settle(async () => {
    checkDeadline(ctx, t, 'before-signing');
    const root = await stage(
      t,
      'sync-committee-message',
      'produce',
      async () => (await ctx.api.getBlockHeader({ blockId: 'head' }, callOptions(ctx, t))).data.root,
    );
    beaconBlockRoot = root;
    const signature = await sign(
      ctx,
      t,
      'sync-committee-message',
      syncCommitteeMessageSigningRoot(ctx.signing, slot, root),
    );
    const message: SyncCommitteeMessage = {
      slot,
      beaconBlockRoot: root,
      validatorIndex: duty.validatorIndex,
      signature,
    };
    return publish(ctx, t, 'sync-committee-message', message, () =>
      ctx.api.submitPoolSyncCommitteeSignatures({ data: [message] }, callOptions(ctx, t)),
    );
  });
  return { outcome, beaconBlockRoot };
}
