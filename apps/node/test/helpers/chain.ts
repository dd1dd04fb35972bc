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

export function chainView(api: BeaconApi, slotsPerEpoch: number): ChainView {
  const headSlot = async () => (await api.getBlockHeader({ blockId: 'head' })).data.header.message.slot;
  return {
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
      const duties: { validatorIndex: number; slot: number; committeeIndex: number; position: number }[] = [];
      for (
        let epoch = Math.floor(fromSlot / slotsPerEpoch);
        epoch <= Math.floor(toSlot / slotsPerEpoch);
        epoch++
      ) {
        const found = (await api.getAttesterDuties({ epoch, indices: validators })).data;
        for (const d of found) {
          if (d.slot < fromSlot || d.slot > toSlot) continue;
          duties.push({
            validatorIndex: d.validatorIndex,
            slot: d.slot,
            committeeIndex: d.committeeIndex,
            position: d.validatorCommitteeIndex,
          });
        }
      }
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
