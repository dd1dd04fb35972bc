// What the chain says about validators' work: the head slot, each validator's attestations found
// in blocks (by its duty: slot, committee, position), and balances.
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
  balances(validators: readonly number[]): Promise<Map<number, number>>;
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
      const blocks = new Map<number, AttestationLike[]>();
      const head = await headSlot();
      for (let slot = fromSlot + 1; slot <= Math.min(head, toSlot + slotsPerEpoch); slot++) {
        const block = await api.getBlock({ blockId: slot }).catch(() => undefined);
        if (block !== undefined) blocks.set(slot, block.data.message.body.attestations as AttestationLike[]);
      }
      const result = duties.map((d) => {
        let included = false;
        for (let s = d.slot + 1; s <= d.slot + slotsPerEpoch && !included; s++) {
          included = (blocks.get(s) ?? []).some(
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
    async balances(validators) {
      const found = (await api.getStateValidators({ stateId: 'head', ids: validators })).data;
      return new Map(found.map((v) => [v.index, v.balance]));
    },
  };
}
