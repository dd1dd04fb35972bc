// One rule for the committee side of a validator duty: the `SigningDuty` (duty type, validator,
// slot, sync subcommittee — what runtime/frames.ts `dutyInstanceId` derives the consensus instance
// from — and the epoch's leader seed) and the deadlines of slot-bound duties. The built-in validator
// client (./duty.ts, ../duties/block.ts) and the Web3Signer committee backend
// (../web3signer/committee-duties.ts) both build their duties here: members of one committee meet in
// one consensus instance, and give up at the same time, only if both compute the same.
import type { SigningDutyType } from '../errors.ts';
import type { SigningDuty } from '../signer.ts';
import type { SlotTimes } from '../slot-times.ts';

/** Duties bound to a slot's timing (exits and builder registrations are not: they set their own). */
export type SlotDutyType = Exclude<SigningDutyType, 'voluntary-exit' | 'builder-registration'>;

/**
 * When a duty of `type` at `slot` is dropped: a block (and its RANDAO reveal) at ATTESTATION_DUE_BPS
 * into the slot (attesters have voted by then: a later block is orphaned), every other duty at the
 * slot's end (nodes refuse messages of a past slot).
 */
export function slotDutyDeadlineMs(
  times: SlotTimes,
  type: SlotDutyType,
  slot: number,
  attestationDueBps: number,
): number {
  return type === 'block' || type === 'randao-reveal'
    ? times.atBps(slot, attestationDueBps)
    : times.slotStartMs(slot + 1);
}

/** The `SigningDuty` of a duty: the same fields, in the same way, for every caller. */
export function committeeDuty(parameters: {
  readonly type: SigningDutyType;
  readonly validatorIndex: number;
  readonly slot: number;
  readonly deadlineMs: number;
  readonly subcommitteeIndex?: number | undefined;
  readonly leaderSeed?: Uint8Array | undefined;
}): SigningDuty {
  const { type, validatorIndex, slot, deadlineMs, subcommitteeIndex, leaderSeed } = parameters;
  return {
    type,
    validatorIndex,
    slot,
    deadlineMs,
    ...(subcommitteeIndex !== undefined ? { subcommitteeIndex } : {}),
    ...(leaderSeed !== undefined ? { leaderSeed } : {}),
  };
}
