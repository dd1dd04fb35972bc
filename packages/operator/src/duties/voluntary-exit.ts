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
import { OperatorError } from '../errors.ts';
import * as step from '../internal/duty.ts';
import type { DutyOutcome } from '../outcome.ts';

export interface VoluntaryExitRequest {
  readonly validatorIndex: number;
  /** The exit's epoch: valid from this epoch on (nodes refuse a future one until then). */
  readonly epoch: number;
  /** Give up collecting the signature after this time (unix ms). */
  readonly deadlineMs: number;
  /** Publish it (else the outcome is `signed`). */
  readonly publish: boolean;
}

/** `ValidatorClient.exit` options. */
export interface VoluntaryExitOptions {
  /**
   * The exit's epoch (default: the current one). Every member of the committee must be asked for
   * the same epoch, or their partial signatures do not combine: give it explicitly.
   */
  readonly epoch?: number;
  /** How long to collect the signature (default: one epoch). */
  readonly timeoutMs?: number;
  /**
   * Publish the exit to the beacon node (default true). False: the outcome is `signed` with the
   * signed exit, to be kept and published later (it stays valid: exits are signed under the
   * Capella domain, EIP-7044).
   */
  readonly publish?: boolean;
}

/** The request `options` make now; throws INVALID_OPTION for a bad epoch or timeout. */
export function exitRequest(
  ctx: step.DutyContext,
  validatorIndex: number,
  options: VoluntaryExitOptions,
): VoluntaryExitRequest {
  const now = ctx.clock.nowMs();
  const epoch = options.epoch ?? ctx.times.epochOf(Math.max(0, ctx.times.slotAt(now)));
  const timeoutMs = options.timeoutMs ?? ctx.spec.slotDurationMs * ctx.spec.slotsPerEpoch;
  for (const [option, v] of [
    ['epoch', epoch],
    ['timeoutMs', timeoutMs],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) {
      throw new OperatorError({ code: 'INVALID_OPTION', option, reason: 'expected a non-negative integer' });
    }
  }
  return { validatorIndex, epoch, deadlineMs: now + timeoutMs, publish: options.publish ?? true };
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
    if (!request.publish) return { ...step.base(t), status: 'signed', message: signed };
    return step.publish(ctx, t, 'voluntary-exit', signed, (opts) =>
      ctx.api.submitPoolVoluntaryExit({ data: signed }, opts),
    );
  });
}
