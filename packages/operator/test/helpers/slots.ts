// The test chain's slot times (6 s slots from GENESIS_TIME_SEC) and a driver that runs one slot of
// the test validator's duties on the fake clock, waiting at each due time for what is due there.
import type { DutyOutcome } from '../../src/index.ts';
import { ATTESTER_SLOT_IN_EPOCH, GENESIS_TIME_SEC, PROPOSER_SLOT_IN_EPOCH } from './beacon-node.ts';
import type { Harness } from './harness.ts';

export const SLOT_MS = 6_000;
export const GENESIS_MS = GENESIS_TIME_SEC * 1000;
export const slotStart = (slot: number) => GENESIS_MS + slot * SLOT_MS;
/** 3333 bps of 6 s, rounded. */
export const third = (slot: number) => slotStart(slot) + 2_000;
/** 6667 bps of 6 s, rounded. */
export const twoThirds = (slot: number) => slotStart(slot) + 4_000;

export const is =
  (duty: DutyOutcome['duty'], slot: number, status?: DutyOutcome['status']) => (o: DutyOutcome) =>
    o.duty === duty && o.slot === slot && (status === undefined || o.status === status);

/** Runs one slot: advances to each due time, waiting for what is due there to end. */
export async function runSlot(h: Harness, slot: number): Promise<void> {
  h.clock.advanceTo(slotStart(slot));
  if (slot % 8 === PROPOSER_SLOT_IN_EPOCH) await h.outcome(is('block', slot), `block of slot ${slot}`);
  h.clock.advanceTo(third(slot));
  await h.outcome(is('sync-committee-message', slot), `sync message of slot ${slot}`);
  if (slot % 8 === ATTESTER_SLOT_IN_EPOCH) await h.outcome(is('attestation', slot), `attestation ${slot}`);
  h.clock.advanceTo(twoThirds(slot));
  for (const sub of [0, 2]) {
    await h.outcome(
      (o) => is('sync-committee-contribution', slot)(o) && o.subcommitteeIndex === sub,
      `contribution ${slot}/${sub}`,
    );
  }
  if (slot % 8 === ATTESTER_SLOT_IN_EPOCH) await h.outcome(is('aggregate', slot), `aggregate ${slot}`);
}
