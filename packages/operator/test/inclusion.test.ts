// Inclusion of the validator's attestations: the test node puts pool attestations into its blocks
// (or never does), and the validator client reports each published attestation as included, with
// its delay, or not included once its window closed.

import { BitArray } from '@chainsafe/ssz';
import { BeaconApiError } from '@diva-dvt/beacon-api';
import { type Phase0Attestation, ssz } from '@diva-dvt/beacon-api/spec';
import { afterEach, describe, expect, it } from 'vitest';
import type { InclusionResult } from '../src/index.ts';
import {
  ATTESTER_SLOT_IN_EPOCH,
  COMMITTEE_LENGTH,
  startTestBeaconNode,
  type TestBeaconNode,
} from './helpers/beacon-node.ts';
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
