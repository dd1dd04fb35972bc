// What the chain says about validators' work: the head slot, each validator's attestations found
// in blocks (by its duty: slot, committee, position), its proposals, its sync committee bits in
// the blocks' sync aggregates, and balances.
import type { BeaconApi } from '@diva-dvt/beacon-api';

export interface AttestationReport {
  /** Epochs in which the validator's attestation was included in a block. */
  includedEpochs(validatorIndex: number): number[];
  /** Duties found in the range (validator, slot). */
  readonly duties: readonly {
    readonly validatorIndex: number;
    readonly slot: number;
    readonly included: boolean;
  }[];
}

export interface ChainView {
  /**
   * Records the validators' attester duties of the current and next epoch once per slot (beacon
   * nodes answer duties only for those), for `attestations` later; `stop` ends it.
   */
  trackDuties(validators: readonly number[], slotMs: number): { stop(): void };
  headSlot(): Promise<number>;
  /** Resolves once the head is at `slot` or later. */
  waitForSlot(slot: number, timeoutMs: number): Promise<void>;
  /** Attestation duties of `validators` in slots from..to and whether each was included. */
  attestations(validators: readonly number[], fromSlot: number, toSlot: number): Promise<AttestationReport>;
  /** Proposer duties of `validators` in slots from..to, and whether the chain has their block. */
  proposals(
    validators: readonly number[],
    fromSlot: number,
    toSlot: number,
  ): Promise<{ readonly validatorIndex: number; readonly slot: number; readonly proposed: boolean }[]>;
  /**
   * Sync committee participation of `validators` for slots from..to, read from the sync aggregate
   * of the block after each (only slots whose next block exists count): bits set / bits expected.
   */
  syncParticipation(
    validators: readonly number[],
    fromSlot: number,
    toSlot: number,
  ): Promise<{ readonly included: number; readonly expected: number }>;
  balances(validators: readonly number[]): Promise<Map<number, number>>;
}

interface BlockLike {
  message: {
    slot: number;
    proposerIndex: number;
    parentRoot: Uint8Array;
    body: {
      attestations: AttestationLike[];
      syncAggregate?: { syncCommitteeBits: { get(i: number): boolean } };
    };
  };
}

interface AttestationLike {
  data: { slot: number; index: number };
  aggregationBits: { get(i: number): boolean };
}

interface Duty {
  readonly validatorIndex: number;
  readonly slot: number;
  readonly committeeIndex: number;
  readonly position: number;
}

export function chainView(api: BeaconApi, slotsPerEpoch: number): ChainView {
  const headSlot = async () => (await api.getBlockHeader({ blockId: 'head' })).data.header.message.slot;
  /** Attester duties seen, by `validator/epoch`. */
  const seen = new Map<string, Duty>();
  /** Proposer duties seen, by slot. */
  const proposers = new Map<number, number>();
  /** Each validator's positions in the sync committee, by `validator/epoch`. */
  const syncSeats = new Map<string, readonly number[]>();
  /** Blocks of past slots (null: empty slot). */
  const blocks = new Map<number, BlockLike | null>();
  const blockAt = async (slot: number, head: number): Promise<BlockLike | undefined> => {
    const cached = blocks.get(slot);
    if (cached !== undefined) return cached ?? undefined;
    const found = await api.getBlock({ blockId: slot }).catch(() => undefined);
    const block = found === undefined ? null : (found.data as BlockLike);
    if (slot < head) blocks.set(slot, block);
    return block ?? undefined;
  };
  return {
    trackDuties(validators, slotMs) {
      const poll = async () => {
        const head = await headSlot().catch(() => undefined);
        if (head === undefined) return;
        const epoch = Math.floor(head / slotsPerEpoch);
        for (const e of [epoch, epoch + 1]) {
          const found = await api.getAttesterDuties({ epoch: e, indices: validators }).catch(() => undefined);
          for (const d of found?.data ?? []) {
            seen.set(`${d.validatorIndex}/${e}`, {
              validatorIndex: d.validatorIndex,
              slot: d.slot,
              committeeIndex: d.committeeIndex,
              position: d.validatorCommitteeIndex,
            });
          }
          // the next epoch's proposers are not final until it starts (pre-fulu): the current one's only
          if (e === epoch) {
            const props = await api.getProposerDuties({ epoch: e }).catch(() => undefined);
            for (const d of props?.data ?? []) {
              if (validators.includes(d.validatorIndex) && d.slot > 0)
                proposers.set(d.slot, d.validatorIndex);
              else proposers.delete(d.slot);
            }
          }
          const sync = await api
            .getSyncCommitteeDuties({ epoch: e, indices: validators })
            .catch(() => undefined);
          for (const d of sync?.data ?? [])
            syncSeats.set(`${d.validatorIndex}/${e}`, d.validatorSyncCommitteeIndices);
        }
      };
      void poll();
      const timer = setInterval(() => void poll(), slotMs);
      return { stop: () => clearInterval(timer) };
    },
    headSlot,
    async waitForSlot(slot, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const head = await headSlot().catch(() => -1);
        if (head >= slot) return;
        if (Date.now() > end) throw new RangeError(`head at slot ${head}, waited for ${slot}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    async attestations(validators, fromSlot, toSlot) {
      const duties = [...seen.values()].filter(
        (d) => validators.includes(d.validatorIndex) && d.slot >= fromSlot && d.slot <= toSlot,
      );
      const found = new Map<number, AttestationLike[]>();
      const head = await headSlot();
      for (let slot = fromSlot + 1; slot <= Math.min(head, toSlot + slotsPerEpoch); slot++) {
        const block = await blockAt(slot, head);
        if (block !== undefined) found.set(slot, block.message.body.attestations);
      }
      const result = duties.map((d) => {
        let included = false;
        for (let s = d.slot + 1; s <= d.slot + slotsPerEpoch && !included; s++) {
          included = (found.get(s) ?? []).some(
            (a) =>
              a.data.slot === d.slot &&
              a.data.index === d.committeeIndex &&
              a.aggregationBits.get(d.position),
          );
        }
        return { validatorIndex: d.validatorIndex, slot: d.slot, included };
      });
      return {
        duties: result,
        includedEpochs: (v) =>
          result
            .filter((d) => d.validatorIndex === v && d.included)
            .map((d) => Math.floor(d.slot / slotsPerEpoch)),
      };
    },
    async proposals(validators, fromSlot, toSlot) {
      const head = await headSlot();
      const out: { validatorIndex: number; slot: number; proposed: boolean }[] = [];
      for (const [slot, validatorIndex] of [...proposers].sort((a, b) => a[0] - b[0])) {
        if (slot < fromSlot || slot > toSlot || slot > head || !validators.includes(validatorIndex)) continue;
        const block = await blockAt(slot, head);
        out.push({ validatorIndex, slot, proposed: block?.message.proposerIndex === validatorIndex });
      }
      return out;
    },
    async syncParticipation(validators, fromSlot, toSlot) {
      const head = await headSlot();
      let included = 0;
      let expected = 0;
      for (let slot = fromSlot; slot <= Math.min(toSlot, head - 1); slot++) {
        const next = await blockAt(slot + 1, head);
        // the next block's sync aggregate carries the slot's sync committee messages
        if (next?.message.body.syncAggregate === undefined) continue;
        const epoch = Math.floor(slot / slotsPerEpoch);
        for (const v of validators) {
          for (const seat of syncSeats.get(`${v}/${epoch}`) ?? []) {
            expected++;
            if (next.message.body.syncAggregate.syncCommitteeBits.get(seat)) included++;
          }
        }
      }
      return { included, expected };
    },
    async balances(validators) {
      const found = (await api.getStateValidators({ stateId: 'head', ids: validators })).data;
      return new Map(found.map((v) => [v.index, v.balance]));
    },
  };
}
