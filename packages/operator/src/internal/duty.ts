// What every duty shares: the components and chain facts it runs with, and the steps that make
// "never sent late" hold (check the deadline before signing and again before publishing; give
// node calls only the time left) and turn failures into outcomes.
import { type BeaconApi, type CallOptions, isBeaconApiError } from '@diva-dvt/beacon-api';
import type { SigningContext } from '@diva-dvt/beacon-api/spec';
import type { ValueType } from '@diva-dvt/consensus';
import type { Clock } from '../clock.ts';
import { isOperatorError, OperatorError, type SigningDutyType } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { DutyOutcome, OutcomeBase, PublishedDutyType, PublishedMessages } from '../outcome.ts';
import type { DecidedValue, SigningDuty, ThresholdSigner } from '../signer.ts';
import type { SlotTimes } from '../slot-times.ts';
import type { ValidatorSpec } from '../spec.ts';
import { committeeDuty, type SlotDutyType, slotDutyDeadlineMs } from './committee-duty.ts';
import type { SharedRequests } from './shared-requests.ts';

export interface DutyContext {
  readonly api: BeaconApi;
  readonly signer: ThresholdSigner;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly spec: ValidatorSpec;
  readonly times: SlotTimes;
  readonly signing: SigningContext;
  readonly graffiti: Uint8Array;
  /** Identical requests of one slot, asked once (see ./shared-requests.ts). */
  readonly shared: SharedRequests;
  /** Per epoch, the attester duties' dependent root: the consensus leader seed of its duties. */
  readonly leaderSeeds: Map<number, Uint8Array>;
}

/** Which duty, and when it is due and dropped: the fields every outcome of it carries. */
export type DutyTarget<D extends PublishedDutyType> = OutcomeBase<D>;

/** A duty due `dueBps` into its slot that must go out before the slot ends. */
export function withinSlot<D extends PublishedDutyType & SlotDutyType>(
  ctx: DutyContext,
  duty: D,
  validatorIndex: number,
  slot: number,
  dueBps: number,
  subcommitteeIndex?: number,
): DutyTarget<D> {
  return {
    duty,
    validatorIndex,
    slot,
    ...(subcommitteeIndex !== undefined ? { subcommitteeIndex } : {}),
    dueMs: ctx.times.atBps(slot, dueBps),
    deadlineMs: slotDutyDeadlineMs(ctx.times, duty, slot, ctx.spec.attestationDueBps),
  };
}

/** Thrown inside a duty to end it with an outcome other than `published`. */
export class DutyEnd {
  readonly outcome: DutyOutcome;
  constructor(outcome: DutyOutcome) {
    this.outcome = outcome;
  }
}

export function base<D extends PublishedDutyType>(t: DutyTarget<D>) {
  return {
    duty: t.duty,
    validatorIndex: t.validatorIndex,
    slot: t.slot,
    ...(t.subcommitteeIndex !== undefined ? { subcommitteeIndex: t.subcommitteeIndex } : {}),
    dueMs: t.dueMs,
    deadlineMs: t.deadlineMs,
  };
}

/** Ends the duty as late when its deadline has passed. */
export function checkDeadline(
  ctx: DutyContext,
  t: DutyTarget<PublishedDutyType>,
  stage: 'before-signing' | 'before-publishing',
): void {
  const atMs = ctx.clock.nowMs();
  if (atMs > t.deadlineMs) {
    throw new DutyEnd({ ...base(t), status: 'late', stage, atMs } as DutyOutcome);
  }
}

/** Call options for asking the node for what to sign: only the time left before the deadline. */
export function callOptions(ctx: DutyContext, t: DutyTarget<PublishedDutyType>): CallOptions {
  return { timeoutMs: Math.max(1, t.deadlineMs - ctx.clock.nowMs()) };
}

/**
 * Runs a node call or a signature as one stage of the duty; a failure ends it as `failed`. A request
 * for what to sign that times out has run into the deadline (its timeout is the time left): the
 * duty is late.
 */
export async function stage<R>(
  ctx: DutyContext,
  t: DutyTarget<PublishedDutyType>,
  signingType: SigningDutyType,
  name: 'produce' | 'sign' | 'publish',
  fn: () => Promise<R>,
): Promise<R> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof DutyEnd) throw cause;
    if (name === 'produce' && isBeaconApiError(cause, 'TIMEOUT')) {
      throw new DutyEnd({
        ...base(t),
        status: 'late',
        stage: 'before-signing',
        atMs: ctx.clock.nowMs(),
      } as DutyOutcome);
    }
    const error =
      isOperatorError(cause, 'UNSUPPORTED_FORK') || isOperatorError(cause, 'UNEXPECTED_RESPONSE')
        ? cause
        : new OperatorError(
            {
              code: 'DUTY_FAILED',
              duty: signingType,
              validatorIndex: t.validatorIndex,
              slot: t.slot,
              stage: name,
            },
            { cause },
          );
    throw new DutyEnd({ ...base(t), status: 'failed', error } as DutyOutcome);
  }
}

function signingDuty(
  ctx: DutyContext,
  t: DutyTarget<PublishedDutyType>,
  signingType: SigningDutyType,
): SigningDuty {
  return committeeDuty({
    type: signingType,
    validatorIndex: t.validatorIndex,
    slot: t.slot,
    deadlineMs: t.deadlineMs,
    subcommitteeIndex: t.subcommitteeIndex,
    leaderSeed: ctx.leaderSeeds.get(ctx.times.epochOf(t.slot)),
  });
}

/** Signs `root`, a value the duty fixes: deadline checked first, a signer failure ends the duty. */
export async function sign(
  ctx: DutyContext,
  t: DutyTarget<PublishedDutyType>,
  signingType: SigningDutyType,
  root: Uint8Array,
): Promise<Uint8Array> {
  checkDeadline(ctx, t, 'before-signing');
  const duty = signingDuty(ctx, t, signingType);
  return stage(ctx, t, signingType, 'sign', () => ctx.signer.sign(root, duty));
}

/**
 * Agrees with the committee on the duty's value, starting from this node's `own`, and signs the
 * decided one: deadline checked first, a signer failure (no decision in time included) ends the duty.
 */
export async function decide<V>(
  ctx: DutyContext,
  t: DutyTarget<PublishedDutyType>,
  signingType: SigningDutyType,
  own: V,
  valueType: ValueType<V>,
): Promise<DecidedValue<V>> {
  checkDeadline(ctx, t, 'before-signing');
  const duty = signingDuty(ctx, t, signingType);
  return stage(ctx, t, signingType, 'sign', () => ctx.signer.decide(own, valueType, duty));
}

/**
 * Publishes the signed message unless the deadline passed; returns the `published` outcome. A
 * message sent before the deadline is not unsent by giving up on the answer, so the node gets a
 * slot's length to acknowledge it (not just the time left before the deadline).
 */
export async function publish<D extends PublishedDutyType>(
  ctx: DutyContext,
  t: DutyTarget<D>,
  signingType: SigningDutyType,
  message: PublishedMessages[D],
  fn: (opts: CallOptions) => Promise<void>,
): Promise<DutyOutcome> {
  checkDeadline(ctx, t, 'before-publishing');
  await stage(ctx, t, signingType, 'publish', async () => {
    try {
      await fn({ timeoutMs: ctx.spec.slotDurationMs });
    } catch (e) {
      // the node has this very message already (another member of the committee published it):
      // the duty is done
      if (!alreadyKnown(e)) throw e;
    }
  });
  return { ...base(t), status: 'published', message, publishedAtMs: ctx.clock.nowMs() } as DutyOutcome;
}

/** A node's refusal because it already holds the message (Lodestar: `..._ALREADY_KNOWN`, `PublishError.Duplicate`). */
function alreadyKnown(e: unknown): boolean {
  return (
    isBeaconApiError(e, 'HTTP_ERROR') &&
    /ALREADY_KNOWN|already known|PublishError\.Duplicate/i.test(e.message)
  );
}

/** Runs a duty body, turning a DutyEnd into its outcome. */
export async function settle(body: () => Promise<DutyOutcome>): Promise<DutyOutcome> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof DutyEnd) return e.outcome;
    throw e;
  }
}

export function unexpected(signingType: SigningDutyType, field: string, reason: string): OperatorError {
  return new OperatorError({ code: 'UNEXPECTED_RESPONSE', duty: signingType, field, reason });
}

export function unsupportedFork(signingType: SigningDutyType, fork: string): OperatorError {
  return new OperatorError({ code: 'UNSUPPORTED_FORK', duty: signingType, fork });
}
