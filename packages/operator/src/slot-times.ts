// Slot and epoch arithmetic from the chain's genesis time and the spec's slot length and epoch
// size (phase0 compute_epoch_at_slot, compute_start_slot_at_epoch, and the slot's start time).

export interface SlotTimes {
  readonly genesisTimeMs: number;
  readonly slotDurationMs: number;
  readonly slotsPerEpoch: number;
  /** Unix milliseconds at which `slot` starts. */
  slotStartMs(slot: number): number;
  /** Unix milliseconds at `bps` basis points (1/10,000) into `slot`. */
  atBps(slot: number, bps: number): number;
  /** The slot running at `timeMs` (-1 before genesis). */
  slotAt(timeMs: number): number;
  epochOf(slot: number): number;
  firstSlotOf(epoch: number): number;
}

export function createSlotTimes(params: {
  genesisTimeSec: number;
  slotDurationMs: number;
  slotsPerEpoch: number;
}): SlotTimes {
  const { slotDurationMs, slotsPerEpoch } = params;
  const genesisTimeMs = params.genesisTimeSec * 1000;
  const slotStartMs = (slot: number) => genesisTimeMs + slot * slotDurationMs;
  return {
    genesisTimeMs,
    slotDurationMs,
    slotsPerEpoch,
    slotStartMs,
    atBps: (slot, bps) => slotStartMs(slot) + Math.round((slotDurationMs * bps) / 10_000),
    slotAt: (timeMs) => (timeMs < genesisTimeMs ? -1 : Math.floor((timeMs - genesisTimeMs) / slotDurationMs)),
    epochOf: (slot) => Math.floor(slot / slotsPerEpoch),
    firstSlotOf: (epoch) => epoch * slotsPerEpoch,
  };
}
