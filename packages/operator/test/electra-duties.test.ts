// The validator client on an electra/fulu chain (beacon-api's route handler answering spec-shaped
// electra and fulu bodies on loopback, a fake clock, the local 3-of-4 signer): SingleAttestation on
// the v2 pool endpoint, electra aggregates with committee_bits, v3 block contents and blinded
// blocks for both forks. Every signature the runtime produces is checked by Lodestar itself:
// @lodestar/state-transition 1.46.0's signature sets (or its computeSigningRoot with its config's
// domains where state-transition has no set) verified with its blst `verifySignatureSet` against
// the validator's group key.
import type { BeaconApiImplementation } from '@diva-dvt/beacon-api/server';
import { ssz } from '@diva-dvt/beacon-api/spec';
import {
  computeEpochAtSlot,
  computeSigningRoot,
  createPubkeyCache,
  getAttestationDataSigningRoot,
  getBlockProposerSignatureSet,
  getRandaoRevealSignatureSet,
  type ISignatureSet,
  SignatureSetType,
  verifySignatureSet,
} from '@lodestar/state-transition';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dutyReason } from '../src/index.ts';
import { COMMITTEE_INDEX, COMMITTEE_LENGTH, VALIDATOR } from './helpers/beacon-node.ts';
import {
  blobsOf,
  electraAttestationData,
  forkOfSlot,
  lodestarChain,
  startElectraBeaconNode,
} from './helpers/beacon-node-electra.ts';
import { createFakeClock } from './helpers/fake-clock.ts';
import { createHarness, groupPublicKey, stopNow } from './helpers/harness.ts';
import { GENESIS_MS, is, runSlot, slotStart, third, twoThirds } from './helpers/slots.ts';

let lodestar: Awaited<ReturnType<typeof lodestarChain>>;
const pubkeys = createPubkeyCache();
beforeAll(async () => {
  lodestar = await lodestarChain();
  pubkeys.set(VALIDATOR, groupPublicKey.bytes);
});

/** Lodestar verifies `set` with the validator's group key (blst, subgroup-checked). */
const lodestarVerifies = (set: ISignatureSet) => verifySignatureSet(set, pubkeys);
const domain = (name: string, slot: number) =>
  lodestar.config.getDomain(slot, lodestar.params[name] as Uint8Array, slot);
/** The validator's signature over a root computed with Lodestar's functions. */
const indexedSet = (signingRoot: Uint8Array, signature: Uint8Array): ISignatureSet => ({
  type: SignatureSetType.indexed,
  index: VALIDATOR,
  signingRoot,
  signature,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(blinded: boolean, overrides?: BeaconApiImplementation) {
  const clock = createFakeClock(GENESIS_MS - 5_000);
  const node = await startElectraBeaconNode({ clock, blinded, ...(overrides ? { overrides } : {}) });
  cleanups.push(() => node.close());
  const h = createHarness({ url: node.url, clock });
  await h.client.start();
  cleanups.push(() => stopNow(h));
  return { node, h };
}

// electra's proposal and attestation slots, then fulu's (slots 3..7 are skipped: the client logs
// that it fell behind and drops what was due there as late)
const SLOTS = [0, 1, 2, 8, 9, 10];

describe('ValidatorClient on electra and fulu', () => {
  it('attests with SingleAttestation, aggregates with committee_bits and proposes block contents, every signature valid for Lodestar', async () => {
    const { node, h } = await setup(false);
    for (const slot of SLOTS) await runSlot(h, slot);
    await h.client.stop();
    const ours = h.outcomes.filter((o) => SLOTS.includes(o.slot));
    expect(ours.filter((o) => o.status !== 'published').map((o) => `${o.duty}@${o.slot}`)).toEqual([]);
    expect(ours.every((o) => dutyReason(o) === 'submitted')).toBe(true);

    // attestations: SingleAttestation with the duty's committee beside data of index 0, on v2
    // (the fork travels in Eth-Consensus-Version, which v1 does not have)
    const attestations = node.callsTo('submitPoolAttestations');
    expect(attestations.map((c) => [c.atMs, c.args.fork])).toEqual([
      [third(2), 'electra'],
      [third(10), 'fulu'],
    ]);
    for (const call of attestations) {
      const [single] = call.args.data;
      expect(single.attesterIndex).toBe(VALIDATOR);
      expect(single.committeeIndex).toBe(COMMITTEE_INDEX);
      expect(ssz.phase0.AttestationData.equals(single.data, electraAttestationData(single.data.slot))).toBe(
        true,
      );
      expect(single.data.index).toBe(0);
      const root = getAttestationDataSigningRoot(lodestar.config, single.data.slot, single.data);
      expect(lodestarVerifies(indexedSet(root, single.signature))).toBe(true);
    }
    // the outcome carries what went out
    const attested = h.outcomes.find(is('attestation', 10));
    expect(attested?.status === 'published' && attested.message).toMatchObject({
      attesterIndex: VALIDATOR,
      committeeIndex: COMMITTEE_INDEX,
    });

    // aggregates: asked for with the committee index, electra AggregateAndProof published
    expect(node.callsTo('getAggregatedAttestation').map((c) => c.args.committeeIndex)).toEqual([
      COMMITTEE_INDEX,
      COMMITTEE_INDEX,
    ]);
    const aggregates = node.callsTo('publishAggregateAndProofs');
    expect(aggregates.map((c) => [c.atMs, c.args.fork])).toEqual([
      [twoThirds(2), 'electra'],
      [twoThirds(10), 'fulu'],
    ]);
    for (const call of aggregates) {
      const [signed] = call.args.data;
      const { message } = signed;
      const slot = message.aggregate.data.slot;
      expect(message.aggregatorIndex).toBe(VALIDATOR);
      expect(message.aggregate.committeeBits.getTrueBitIndexes()).toEqual([COMMITTEE_INDEX]);
      expect(message.aggregate.aggregationBits.bitLen).toBe(COMMITTEE_LENGTH);
      const proofRoot = computeSigningRoot(ssz.Slot, slot, domain('DOMAIN_SELECTION_PROOF', slot));
      expect(lodestarVerifies(indexedSet(proofRoot, message.selectionProof))).toBe(true);
      const root = computeSigningRoot(
        ssz.electra.AggregateAndProof,
        message,
        domain('DOMAIN_AGGREGATE_AND_PROOF', slot),
      );
      expect(lodestarVerifies(indexedSet(root, signed.signature))).toBe(true);
    }

    // blocks: block contents with the node's blobs and proofs, RANDAO and block signatures
    const blocks = node.callsTo('publishBlock');
    expect(blocks.map((c) => [c.atMs, c.args.fork])).toEqual([
      [slotStart(1), 'electra'],
      [slotStart(9), 'fulu'],
    ]);
    for (const call of blocks) {
      const { signedBlock, kzgProofs, blobs } = call.args.data;
      const fork = forkOfSlot(signedBlock.message.slot);
      expect(blobs).toEqual(blobsOf(fork).blobs);
      expect(kzgProofs).toEqual(blobsOf(fork).kzgProofs);
      expect(lodestarVerifies(getRandaoRevealSignatureSet(lodestar.config, signedBlock.message))).toBe(true);
      expect(lodestarVerifies(getBlockProposerSignatureSet(lodestar.config, signedBlock))).toBe(true);
      const outcome = h.outcomes.find(is('block', signedBlock.message.slot));
      expect(outcome?.status === 'published' && outcome.duty === 'block' && outcome.message).toMatchObject({
        fork,
        blinded: false,
        blockRoot: ssz[fork as 'electra'].BeaconBlock.hashTreeRoot(signedBlock.message),
      });
    }

    // sync committee messages and contributions (unchanged since altair), every one
    for (const call of node.callsTo('submitPoolSyncCommitteeSignatures')) {
      const [m] = call.args.data;
      const root = computeSigningRoot(ssz.Root, m.beaconBlockRoot, domain('DOMAIN_SYNC_COMMITTEE', m.slot));
      expect(lodestarVerifies(indexedSet(root, m.signature))).toBe(true);
    }
    const contributions = node.callsTo('publishContributionAndProofs');
    expect(contributions).toHaveLength(2 * SLOTS.length);
    for (const call of contributions) {
      const [c] = call.args.data;
      const { slot, subcommitteeIndex } = c.message.contribution;
      const selectionRoot = computeSigningRoot(
        ssz.altair.SyncAggregatorSelectionData,
        { slot, subcommitteeIndex },
        domain('DOMAIN_SYNC_COMMITTEE_SELECTION_PROOF', slot),
      );
      expect(lodestarVerifies(indexedSet(selectionRoot, c.message.selectionProof))).toBe(true);
      const root = computeSigningRoot(
        ssz.altair.ContributionAndProof,
        c.message,
        domain('DOMAIN_CONTRIBUTION_AND_PROOF', slot),
      );
      expect(lodestarVerifies(indexedSet(root, c.signature))).toBe(true);
    }
    // a check that can fail: another slot's domain does not verify
    const [m] = node.callsTo('submitPoolSyncCommitteeSignatures')[0]?.args.data ?? [];
    const wrong = computeSigningRoot(ssz.Root, m.beaconBlockRoot, domain('DOMAIN_SYNC_COMMITTEE', 8));
    expect(lodestarVerifies(indexedSet(wrong, m.signature))).toBe(false);
    expect(computeEpochAtSlot(8)).toBe(1);
  });

  it('proposes blinded electra and fulu blocks to the blinded route, signatures valid for Lodestar', async () => {
    const { node, h } = await setup(true);
    for (const slot of [1, 9]) {
      h.clock.advanceTo(slotStart(slot));
      await h.outcome(is('block', slot), `block of slot ${slot}`);
    }
    expect(h.outcomes.filter((o) => o.duty === 'block').map((o) => o.status)).toEqual([
      'published',
      'published',
    ]);
    expect(node.callsTo('publishBlock')).toEqual([]);
    const blocks = node.callsTo('publishBlindedBlock');
    expect(blocks.map((c) => c.args.fork)).toEqual(['electra', 'fulu']);
    for (const call of blocks) {
      const signed = call.args.data;
      expect(signed.message.body.executionPayloadHeader).toBeDefined();
      expect(lodestarVerifies(getRandaoRevealSignatureSet(lodestar.config, signed.message))).toBe(true);
      expect(lodestarVerifies(getBlockProposerSignatureSet(lodestar.config, signed))).toBe(true);
    }
  });

  it('refuses electra data that names a committee, and an aggregate of another committee', async () => {
    const { node, h } = await setup(false, {
      produceAttestationData: ({ slot }) => ({
        data: { ...electraAttestationData(slot), index: COMMITTEE_INDEX },
        meta: {},
      }),
    });
    h.clock.advanceTo(third(2));
    const attestation = await h.outcome(is('attestation', 2), 'attestation');
    expect(attestation.status).toBe('failed');
    expect(dutyReason(attestation)).toBe('invalid-beacon-response');
    expect(node.callsTo('submitPoolAttestations')).toEqual([]);

    const other = await setup(false, {
      getAggregatedAttestation: ({ slot }) => {
        const committeeBits = ssz.electra.Attestation.defaultValue().committeeBits;
        committeeBits.set(COMMITTEE_INDEX + 1, true);
        return {
          data: {
            aggregationBits: ssz.electra.Attestation.defaultValue().aggregationBits,
            data: electraAttestationData(slot),
            signature: new Uint8Array(96),
            committeeBits,
          },
          meta: { version: 'electra' },
        };
      },
    });
    other.h.clock.advanceTo(third(2));
    await other.h.outcome(is('attestation', 2), 'attestation');
    other.h.clock.advanceTo(twoThirds(2));
    const aggregate = await other.h.outcome(is('aggregate', 2), 'aggregate');
    expect(aggregate.status === 'failed' && aggregate.error.details).toMatchObject({
      code: 'UNEXPECTED_RESPONSE',
      field: 'aggregate.committeeBits',
    });
    expect(other.node.callsTo('publishAggregateAndProofs')).toEqual([]);
  });
});
