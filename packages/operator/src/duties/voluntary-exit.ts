// Voluntary exit on request (phase0 validator.md "Voluntary exits", EIP-7044): sign
// VoluntaryExit(epoch, validator_index) under DOMAIN_VOLUNTARY_EXIT — from deneb on always with
// CAPELLA_FORK_VERSION, before deneb with the fork version at the exit's epoch — and submit it to
// the pool. The exit is a value the request fixes (no consensus: every member that is asked signs
// the same root), so it needs only the partial-signature exchange. Members find each other's
// partials by (validator, duty, slot), so the duty's slot is the exit epoch's first slot, the same
// on every member however late each is asked; they must be asked for the same epoch.
import {
  type SignedVoluntaryExit,
  type VoluntaryExit,
  voluntaryExitSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';

export interface VoluntaryExitRequest {
  readonly validatorIndex: number;
  /** The exit's epoch: valid from this epoch on (nodes refuse a future one until then). */
  readonly epoch: number;
  /** Give up collecting the signature after this time (unix ms). */
  readonly deadlineMs: number;
}

export function exitValidator(ctx: step.DutyContext, request: VoluntaryExitRequest): Promise<DutyOutcome> {
  const { validatorIndex, epoch, deadlineMs } = request;
  const t: step.DutyTarget<'voluntary-exit'> = {
    duty: 'voluntary-exit',
    validatorIndex,
    slot: ctx.times.firstSlotOf(epoch),
    dueMs: ctx.clock.nowMs(),
    deadlineMs,
  };
  return step.settle(async () => {
    const currentEpoch = ctx.times.epochOf(Math.max(0, ctx.times.slotAt(ctx.clock.nowMs())));
    const exit: VoluntaryExit = { epoch, validatorIndex };
    const root = voluntaryExitSigningRoot(ctx.signing, exit, currentEpoch);
    const signature = await step.sign(ctx, t, 'voluntary-exit', root);
    const signed: SignedVoluntaryExit = { message: exit, signature };
    return step.publish(ctx, t, 'voluntary-exit', signed, (opts) =>
      ctx.api.submitPoolVoluntaryExit({ data: signed }, opts),
    );
  });
}
