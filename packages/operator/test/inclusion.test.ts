// Inclusion of the validator's attestations: the test node puts pool attestations into its blocks
// (or never does), and the validator client reports each published attestation as included, with
// its delay, or not included once its window closed.

import { BitArray } from '@chainsafe/ssz';
import { BeaconApiError } from '@diva-dvt/beacon-api';
import { type Phase0Attestation, type SingleAttestation, ssz } from '@diva-dvt/beacon-api/spec';
import { afterEach, describe, expect, it } from 'vitest';
import type { InclusionResult } from '../src/index.ts';
import {
  ATTESTER_SLOT_IN_EPOCH,
  COMMITTEE_INDEX,
  COMMITTEE_LENGTH,
  startTestBeaconNode,
  type TestBeaconNode,
  VALIDATOR,
  VALIDATOR_COMMITTEE_INDEX,
} from './helpers/beacon-node.ts';
import { startElectraBeaconNode } from './helpers/beacon-node-electra.ts';
import { createFakeClock } from './helpers/fake-clock.ts';
import { createHarness, stopNow } from './helpers/harness.ts';
import { waitUntil } from './helpers/p2p.ts';
import { GENESIS_MS, runSlot, slotStart } from './helpers/slots.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The attestations the validator client sent to the node's pool. */
function pooled(node: TestBeaconNode): Phase0Attestation[] {
  return node.callsTo('submitPoolAttestations').flatMap((c) => c.args.data as Phase0Attestation[]);
}

function blockWith(slot: number, attestations: Phase0Attestation[]) {
  const block = ssz.altair.SignedBeaconBlock.defaultValue();
  block.message.slot = slot;
  block.message.body.attestations = attestations;
  return { data: block, meta: { version: 'altair', executionOptimistic: false, finalized: false } };
}

const emptySlot = () => {
  throw new BeaconApiError({ code: 'REQUEST_REJECTED', status: 404, reason: 'No block found' });
};

async function run(getBlock: (node: () => TestBeaconNode, slot: number) => unknown, slots: number) {
  const clock = createFakeClock(GENESIS_MS - 5_000);
  let node: TestBeaconNode | undefined;
  node = await startTestBeaconNode({
    clock,
    overrides: {
      getBlock: ({ blockId }: { blockId: number }) => getBlock(() => node!, Number(blockId)),
    } as never,
  });
  cleanups.push(() => node!.close());
  const results: InclusionResult[] = [];
  const h = createHarness({ url: node.url, clock, init: { onInclusion: (r) => results.push(r) } });
  await h.client.start();
  cleanups.push(() => stopNow(h));
  for (let slot = 0; slot < slots; slot++) await runSlot(h, slot);
  h.clock.advanceTo(slotStart(slots));
  return { results, node };
}

describe('attestation inclusion', () => {
  it('finds the attestation two slots later, ignoring a block whose attestation has only another bit', async () => {
    const { results } = await run((node, slot) => {
      const mine = pooled(node()).filter((a) => a.data.slot === ATTESTER_SLOT_IN_EPOCH);
      if (slot === ATTESTER_SLOT_IN_EPOCH + 1 && mine.length > 0) {
        // the same data, but only some other member's bit
        const other = mine[0]!;
        const bits = BitArray.fromBoolArray(
          Array.from({ length: COMMITTEE_LENGTH }, (_, i) => !other.aggregationBits.get(i) && i === 0),
        );
        return blockWith(slot, [{ ...other, aggregationBits: bits }]);
      }
      if (slot === ATTESTER_SLOT_IN_EPOCH + 2) return blockWith(slot, mine);
      return emptySlot();
    }, 5);
    await waitUntil(() => results.length > 0, 'an inclusion result');
    expect(results).toEqual([
      {
        validatorIndex: expect.any(Number),
        slot: ATTESTER_SLOT_IN_EPOCH,
        status: 'included',
        inclusionSlot: ATTESTER_SLOT_IN_EPOCH + 2,
        delaySlots: 2,
      },
    ]);
  });

  it('asks again for a block the node could not give, rather than skipping its slot', async () => {
    let refused = 0;
    const { results } = await run((node, slot) => {
      if (slot !== ATTESTER_SLOT_IN_EPOCH + 1) return emptySlot();
      if (refused++ === 0)
        throw new BeaconApiError({ code: 'REQUEST_REJECTED', status: 500, reason: 'busy' });
      return blockWith(slot, pooled(node()));
    }, 5);
    await waitUntil(() => results.length > 0, 'an inclusion result');
    expect(refused).toBeGreaterThan(1);
    expect(results[0]).toMatchObject({ status: 'included', inclusionSlot: ATTESTER_SLOT_IN_EPOCH + 1 });
  });

  it('reports an attestation no block of the following epoch carried as not included', async () => {
    const { results, node } = await run(
      (_node, slot) => (slot % 2 === 0 ? blockWith(slot, []) : emptySlot()),
      11,
    );
    await waitUntil(() => results.length > 0, 'an inclusion result');
    expect(pooled(node).some((a) => a.data.slot === ATTESTER_SLOT_IN_EPOCH)).toBe(true);
    expect(results[0]).toMatchObject({ slot: ATTESTER_SLOT_IN_EPOCH, status: 'not-included' });
    expect(results[0]?.inclusionSlot).toBeUndefined();
  });
});

describe('attestation inclusion on electra (committee_bits)', () => {
  // committee 0 has three members, committee 1 (the validator's) COMMITTEE_LENGTH: in an aggregate
  // with both committees set, the validator's bit is 3 + VALIDATOR_COMMITTEE_INDEX
  const committee0 = [200, 201, 202];
  const committee1 = Array.from({ length: COMMITTEE_LENGTH }, (_, i) =>
    i === VALIDATOR_COMMITTEE_INDEX ? VALIDATOR : 300 + i,
  );
  const bitsWith = (length: number, set: number[]) =>
    BitArray.fromBoolArray(Array.from({ length }, (_, i) => set.includes(i)));
  /** committee_bits of the preset's length (MAX_COMMITTEES_PER_SLOT) with `set` set. */
  const committeeBits = (set: number[]) => {
    const bits = ssz.electra.Attestation.defaultValue().committeeBits;
    for (const i of set) bits.set(i, true);
    return bits;
  };

  async function runElectra(
    blockAt: (slot: number, mine: SingleAttestation | undefined) => unknown,
    slots = 5,
  ) {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    let node: TestBeaconNode | undefined;
    const committeeCalls: unknown[] = [];
    node = await startElectraBeaconNode({
      clock,
      blinded: false,
      overrides: {
        getBlock: ({ blockId }: { blockId: number }) => {
          const mine = node!
            .callsTo('submitPoolAttestations')
            .flatMap((c) => c.args.data as SingleAttestation[])
            .find((a) => a.data.slot === ATTESTER_SLOT_IN_EPOCH);
          return blockAt(Number(blockId), mine);
        },
        getEpochCommittees: (args: unknown) => {
          committeeCalls.push(args);
          return {
            data: [
              { index: 0, slot: ATTESTER_SLOT_IN_EPOCH, validators: committee0 },
              { index: COMMITTEE_INDEX, slot: ATTESTER_SLOT_IN_EPOCH, validators: committee1 },
            ],
            meta: { executionOptimistic: false, finalized: false },
          };
        },
      } as never,
    });
    cleanups.push(() => node!.close());
    const results: InclusionResult[] = [];
    const h = createHarness({ url: node.url, clock, init: { onInclusion: (r) => results.push(r) } });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    for (let slot = 0; slot < slots; slot++) await runSlot(h, slot);
    h.clock.advanceTo(slotStart(slots));
    await waitUntil(() => results.length > 0, 'an inclusion result');
    return { results, committeeCalls };
  }

  function electraBlock(slot: number, attestations: unknown[]) {
    const block = ssz.electra.SignedBeaconBlock.defaultValue();
    block.message.slot = slot;
    block.message.body.attestations = attestations as never;
    return { data: block, meta: { version: 'electra', executionOptimistic: false, finalized: false } };
  }

  it('finds the bit after the lengths of the set committees before its own, not at its place in the committee', async () => {
    const { results, committeeCalls } = await runElectra((slot, mine) => {
      if (mine === undefined || slot <= ATTESTER_SLOT_IN_EPOCH) return emptySlot();
      const aggregate = (bits: number[]) => ({
        aggregationBits: bitsWith(committee0.length + COMMITTEE_LENGTH, bits),
        data: mine.data,
        signature: mine.signature,
        committeeBits: committeeBits([0, COMMITTEE_INDEX]),
      });
      // slot +1: the bit at the validator's place in its own committee, which is another member's
      // in the aggregate; slot +2: the right bit
      if (slot === ATTESTER_SLOT_IN_EPOCH + 1)
        return electraBlock(slot, [aggregate([VALIDATOR_COMMITTEE_INDEX])]);
      if (slot === ATTESTER_SLOT_IN_EPOCH + 2)
        return electraBlock(slot, [aggregate([committee0.length + VALIDATOR_COMMITTEE_INDEX])]);
      return emptySlot();
    });
    expect(results).toEqual([
      {
        validatorIndex: VALIDATOR,
        slot: ATTESTER_SLOT_IN_EPOCH,
        status: 'included',
        inclusionSlot: ATTESTER_SLOT_IN_EPOCH + 2,
        delaySlots: 2,
      },
    ]);
    // asked once for the slot's committees, only after a block carried the same data
    expect(committeeCalls).toHaveLength(1);
    expect(committeeCalls[0]).toMatchObject({ slot: ATTESTER_SLOT_IN_EPOCH });
  });

  it("does not count an aggregate whose committee_bits leave the validator's committee out", async () => {
    const { results } = await runElectra((slot, mine) => {
      if (mine === undefined || slot !== ATTESTER_SLOT_IN_EPOCH + 1) return emptySlot();
      // committee 0 only: the bit at index 3 would be ours if committee_bits were ignored
      return electraBlock(slot, [
        {
          aggregationBits: bitsWith(committee0.length + COMMITTEE_LENGTH, [
            committee0.length + VALIDATOR_COMMITTEE_INDEX,
          ]),
          data: mine.data,
          signature: mine.signature,
          committeeBits: committeeBits([0]),
        },
      ]);
    }, 11);
    expect(results[0]).toMatchObject({ slot: ATTESTER_SLOT_IN_EPOCH, status: 'not-included' });
  });
});
