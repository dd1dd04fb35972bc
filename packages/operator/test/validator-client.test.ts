// The validator client against a real loopback beacon node (beacon-api's route handler) and a
// fake clock: which messages it builds, over which signing roots it signs (checked with the group
// key), when it publishes them, and that a duty past its deadline is dropped, never sent late.
import { BeaconApiError } from '@diva-dvt/beacon-api';
import {
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  blockSigningRoot,
  contributionAndProofSigningRoot,
  randaoSigningRoot,
  selectionProofSigningRoot,
  ssz,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { isOperatorError } from '../src/index.ts';
import {
  attestationData,
  COMMITTEE_INDEX,
  COMMITTEE_LENGTH,
  dependentRootOf,
  headRoot,
  MINIMAL_SPEC,
  startTestBeaconNode,
  VALIDATOR,
  VALIDATOR_COMMITTEE_INDEX,
} from './helpers/beacon-node.ts';
import { createFakeClock } from './helpers/fake-clock.ts';
import {
  createHarness,
  type Harness,
  localSigner,
  stopNow,
  verifiesWithGroupKey,
} from './helpers/harness.ts';
import { GENESIS_MS, is, runSlot, SLOT_MS, slotStart, third, twoThirds } from './helpers/slots.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof startTestBeaconNode>[0]) {
  const node = await startTestBeaconNode(options);
  cleanups.push(() => node.close());
  return node;
}

describe('ValidatorClient', () => {
  it('performs every duty of its slots at the due time, over the right signing roots', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({ clock });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    expect(h.client.spec).toMatchObject({
      slotDurationMs: SLOT_MS,
      slotsPerEpoch: 8,
      syncSubcommitteeSize: 8,
    });

    for (const slot of [0, 1, 2, 3]) await runSlot(h, slot);
    h.clock.advanceTo(slotStart(4) - 1);
    await h.client.stop();

    // everything published, nothing late or failed
    expect(h.outcomes.filter((o) => o.status !== 'published')).toEqual([]);
    expect(h.duties).toHaveLength(1);
    expect(h.duties[0]).toMatchObject({ epoch: 0, validatorIndex: VALIDATOR, proposerSlots: [1] });
    // every duty the committee decides is ordered by the epoch's dependent root (the leader seed)
    const decided = h.signed.filter((d) => d.type === 'attestation' || d.type === 'block');
    expect(decided.map((d) => d.type).sort()).toEqual(['attestation', 'block']);
    for (const d of h.signed) expect(d.leaderSeed).toEqual(dependentRootOf(0));
    const ctx = node.signing;

    // block: RANDAO reveal over the epoch, the block signed, published at the slot's start
    const [produce] = node.callsTo('produceBlock');
    expect(produce?.args.slot).toBe(1);
    expect(verifiesWithGroupKey(randaoSigningRoot(ctx, 0), produce?.args.randaoReveal)).toBe(true);
    const [block] = node.callsTo('publishBlock');
    expect(block?.atMs).toBe(slotStart(1));
    expect(block?.args.fork).toBe('altair');
    const signedBlock = block?.args.data;
    expect(signedBlock.message.slot).toBe(1);
    expect(signedBlock.message.body.randaoReveal).toEqual(produce?.args.randaoReveal);
    expect(verifiesWithGroupKey(blockSigningRoot(ctx, signedBlock.message), signedBlock.signature)).toBe(
      true,
    );
    const blockOutcome = h.outcomes.find(is('block', 1));
    expect(
      blockOutcome?.status === 'published' && blockOutcome.duty === 'block' && blockOutcome.message.blockRoot,
    ).toEqual(ssz.altair.BeaconBlock.hashTreeRoot(signedBlock.message));

    // attestation at a third of slot 2: our single bit, the node's data, signed
    const attestations = node.callsTo('submitPoolAttestations');
    expect(attestations).toHaveLength(1);
    expect(attestations[0]?.atMs).toBe(third(2));
    const [attestation] = attestations[0]?.args.data ?? [];
    expect(ssz.phase0.AttestationData.equals(attestation.data, attestationData(2, COMMITTEE_INDEX))).toBe(
      true,
    );
    expect(attestation.aggregationBits.bitLen).toBe(COMMITTEE_LENGTH);
    expect(attestation.aggregationBits.getTrueBitIndexes()).toEqual([VALIDATOR_COMMITTEE_INDEX]);
    expect(
      verifiesWithGroupKey(attestationDataSigningRoot(ctx, attestation.data), attestation.signature),
    ).toBe(true);

    // aggregation: the selection proof told the node we aggregate (committee of 4 < 16 targets),
    // and the aggregate went out at two thirds of the slot
    const [subscription] = node.callsTo('prepareBeaconCommitteeSubnet');
    expect(subscription?.args.data).toEqual([
      { validatorIndex: VALIDATOR, committeeIndex: 1, committeesAtSlot: 2, slot: 2, isAggregator: true },
    ]);
    const aggregates = node.callsTo('publishAggregateAndProofs');
    expect(aggregates.map((c) => c.atMs)).toEqual([twoThirds(2)]);
    const [signedAggregate] = aggregates[0]?.args.data ?? [];
    expect(signedAggregate.message.aggregatorIndex).toBe(VALIDATOR);
    expect(
      verifiesWithGroupKey(selectionProofSigningRoot(ctx, 2), signedAggregate.message.selectionProof),
    ).toBe(true);
    expect(
      verifiesWithGroupKey(
        aggregateAndProofSigningRoot(ctx, signedAggregate.message),
        signedAggregate.signature,
      ),
    ).toBe(true);
    const [aggregateRequest] = node.callsTo('getAggregatedAttestation');
    expect(aggregateRequest?.args.attestationDataRoot).toEqual(
      ssz.phase0.AttestationData.hashTreeRoot(attestationData(2, COMMITTEE_INDEX)),
    );

    // sync committee: a message every slot at a third, over the head root
    const syncMessages = node.callsTo('submitPoolSyncCommitteeSignatures');
    expect(syncMessages.map((c) => c.atMs)).toEqual([0, 1, 2, 3].map(third));
    for (const [slot, call] of syncMessages.entries()) {
      const [m] = call.args.data;
      expect(m).toMatchObject({ slot, validatorIndex: VALIDATOR, beaconBlockRoot: headRoot(slot) });
      expect(
        verifiesWithGroupKey(syncCommitteeMessageSigningRoot(ctx, slot, m.beaconBlockRoot), m.signature),
      ).toBe(true);
    }

    // and a contribution per subcommittee (positions 3 and 17: subcommittees 0 and 2) at two thirds
    const contributions = node.callsTo('publishContributionAndProofs');
    expect(contributions.map((c) => c.atMs)).toEqual([0, 0, 1, 1, 2, 2, 3, 3].map(twoThirds));
    for (const call of contributions) {
      const [c] = call.args.data;
      const { slot, subcommitteeIndex, beaconBlockRoot } = c.message.contribution;
      expect([0, 2]).toContain(subcommitteeIndex);
      expect(beaconBlockRoot).toEqual(headRoot(slot));
      expect(
        verifiesWithGroupKey(
          syncCommitteeSelectionProofSigningRoot(ctx, slot, subcommitteeIndex),
          c.message.selectionProof,
        ),
      ).toBe(true);
      expect(verifiesWithGroupKey(contributionAndProofSigningRoot(ctx, c.message), c.signature)).toBe(true);
    }

    // nothing was signed that was not published (plus the selection proofs and the RANDAO reveal)
    const types = h.signed.map((d) => d.type);
    expect(types.filter((t) => t === 'randao-reveal')).toHaveLength(1);
    expect(types.filter((t) => t === 'selection-proof')).toHaveLength(1);
    expect(types.filter((t) => t === 'sync-committee-selection-proof')).toHaveLength(8);
    expect(types).toHaveLength(1 + 1 + 1 + 1 + 1 + 4 + 8 + 8);
    const attestationDuty = h.signed.find((d) => d.type === 'attestation');
    expect(attestationDuty).toMatchObject({ validatorIndex: VALIDATOR, slot: 2, deadlineMs: slotStart(3) });
  });

  it('drops an attestation whose data arrives after the slot, with a logged reason, and never signs or sends it', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        produceAttestationData: ({ slot, committeeIndex }) => {
          clock.advanceTo(slotStart(slot + 1) + 1); // the node answers after the slot ended
          return { data: attestationData(slot, committeeIndex), meta: {} };
        },
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(2));
    h.clock.advanceTo(third(2));
    const late = await h.outcome(is('attestation', 2), 'attestation');
    expect(late).toMatchObject({ status: 'late', stage: 'before-signing', deadlineMs: slotStart(3) });
    expect(node.callsTo('submitPoolAttestations')).toEqual([]);
    expect(h.signed.filter((d) => d.type === 'attestation')).toEqual([]);
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'duty dropped: past its deadline',
        fields: expect.objectContaining({
          duty: 'attestation',
          slot: 2,
          stage: 'before-signing',
          lateByMs: 1,
        }),
      }),
    );
    // the aggregate of that slot cannot be on time either
    h.clock.advanceTo(slotStart(3) + 2);
    await h.outcome(is('aggregate', 2), 'aggregate');
    expect(node.callsTo('publishAggregateAndProofs')).toEqual([]);
  });

  it('drops a block whose signature comes back after the deadline, without publishing it', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({ clock });
    const signer = localSigner();
    const h = createHarness({
      url: node.url,
      clock,
      signer: {
        sign: (root, duty) => signer.sign(root, duty),
        async decide(own, valueType, duty) {
          const decided = await signer.decide(own, valueType, duty);
          // a slow consensus round (a missing peer): back after the block's deadline
          if (duty.type === 'block') clock.advanceTo(duty.deadlineMs + 500);
          return decided;
        },
      },
    });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(1));
    const late = await h.outcome(is('block', 1), 'block');
    expect(late).toMatchObject({ status: 'late', stage: 'before-publishing', deadlineMs: third(1) });
    expect(late.status === 'late' && late.atMs).toBe(third(1) + 500);
    expect(node.callsTo('produceBlock')).toHaveLength(1);
    expect(node.callsTo('publishBlock')).toEqual([]);
  });

  it('gives up on a node that has not answered what to sign by the deadline: the duty is late', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        // a node that never answers: the request's timeout is the time left before the deadline
        produceSyncCommitteeContribution: () => new Promise<never>(() => {}),
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(0));
    h.clock.advanceTo(third(0));
    await h.outcome(is('sync-committee-message', 0, 'published'), 'sync message');
    // the contributions start 5 ms before the end of the slot
    h.clock.advanceTo(slotStart(1) - 5);
    const late = await h.outcome(is('sync-committee-contribution', 0), 'contribution');
    expect(late).toMatchObject({ status: 'late', stage: 'before-signing', deadlineMs: slotStart(1) });
    expect(node.callsTo('publishContributionAndProofs')).toEqual([]);
    expect(h.signed.map((d) => d.type)).not.toContain('sync-committee-contribution');
  });

  it('refuses to sign a block the node made for another slot', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        produceBlock: ({ slot }) => {
          const block = ssz.altair.BeaconBlock.defaultValue();
          block.slot = slot + 1;
          block.proposerIndex = VALIDATOR;
          return {
            data: block,
            meta: { version: 'altair', blinded: false, executionPayloadValue: 0n, consensusBlockValue: 0n },
          };
        },
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(1));
    const failed = await h.outcome(is('block', 1), 'block');
    expect(failed.status).toBe('failed');
    const error = failed.status === 'failed' ? failed.error : undefined;
    expect(isOperatorError(error, 'UNEXPECTED_RESPONSE') && error.details.field).toBe('block.slot');
    expect(h.signed.map((d) => d.type)).not.toContain('block');
    expect(node.callsTo('publishBlock')).toEqual([]);
  });

  it('reports a node that refuses a message as a failed duty naming the stage, with the node error as cause', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        submitPoolSyncCommitteeSignatures: () => {
          throw new Error('SYNC_COMMITTEE_ERROR_NOT_CURRENT_SLOT');
        },
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(0));
    h.clock.advanceTo(third(0));
    const failed = await h.outcome(is('sync-committee-message', 0), 'sync message');
    expect(failed.status).toBe('failed');
    const error = failed.status === 'failed' ? failed.error : undefined;
    expect(isOperatorError(error, 'DUTY_FAILED') && error.details).toEqual({
      code: 'DUTY_FAILED',
      duty: 'sync-committee-message',
      validatorIndex: VALIDATOR,
      slot: 0,
      stage: 'publish',
    });
    expect(error?.message).toContain('NOT_CURRENT_SLOT');
    h.clock.advanceTo(slotStart(1) - 1);
  });

  it('counts a message the node already holds (another committee member published it) as published', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        submitPoolSyncCommitteeSignatures: () => {
          throw new Error('SYNC_COMMITTEE_ERROR_SYNC_COMMITTEE_ALREADY_KNOWN');
        },
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(0));
    h.clock.advanceTo(third(0));
    const done = await h.outcome(is('sync-committee-message', 0), 'sync message');
    expect(done.status).toBe('published');
    expect(node.callsTo('submitPoolSyncCommitteeSignatures')).toHaveLength(1);
    h.clock.advanceTo(slotStart(1) - 1);
  });

  it('ends the aggregate as the attestation ended when the node gave no attestation data', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({
      clock,
      overrides: {
        produceAttestationData: () => {
          throw new BeaconApiError({ code: 'REQUEST_REJECTED', status: 503, reason: 'Node is syncing' });
        },
      },
    });
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(2));
    h.clock.advanceTo(third(2));
    const attestation = await h.outcome(is('attestation', 2), 'attestation');
    h.clock.advanceTo(twoThirds(2));
    const aggregate = await h.outcome(is('aggregate', 2), 'aggregate');
    expect(attestation.status).toBe('failed');
    expect(aggregate.status).toBe('failed');
    const error = aggregate.status === 'failed' ? aggregate.error : undefined;
    expect(isOperatorError(error, 'DUTY_FAILED') && error.details.stage).toBe('produce');
    expect(error?.cause).toBe(attestation.status === 'failed' ? attestation.error : undefined);
    expect(error?.message).toContain('Node is syncing');
    expect(node.callsTo('getAggregatedAttestation')).toEqual([]);
  });

  it('takes slot length, epoch size, aggregator targets and due times from the node', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    // 4 s slots, 4-slot epochs, one target aggregator (modulo 4 for a committee of 4), later contributions
    const spec = {
      ...MINIMAL_SPEC,
      SECONDS_PER_SLOT: '4',
      SLOTS_PER_EPOCH: '4',
      TARGET_AGGREGATORS_PER_COMMITTEE: '1',
      CONTRIBUTION_DUE_BPS: '7500',
    };
    const node = await setup({ clock, spec });
    // (the test node places duties by SLOTS_PER_EPOCH: attester at slot 2, proposer at slot 1)
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    expect(h.client.spec).toMatchObject({
      slotDurationMs: 4_000,
      slotsPerEpoch: 4,
      contributionDueBps: 7500,
    });
    const start = (slot: number) => GENESIS_MS + slot * 4_000;
    h.clock.advanceTo(start(0));
    h.clock.advanceTo(start(0) + 1_333);
    await h.outcome(is('sync-committee-message', 0), 'sync message');
    h.clock.advanceTo(start(0) + 3_000);
    await h.outcome(is('sync-committee-contribution', 0), 'contribution');
    expect(node.callsTo('publishContributionAndProofs').map((c) => c.atMs)).toEqual([
      start(0) + 3_000,
      start(0) + 3_000,
    ]);
    h.clock.advanceTo(start(1));
    await h.outcome(is('block', 1), 'block');
    h.clock.advanceTo(start(2) + 1_333);
    await h.outcome(is('attestation', 2), 'attestation');
    h.clock.advanceTo(start(2) + 2_667);
    const aggregation = await h.outcome(is('aggregate', 2), 'aggregate');
    const proof = h.signed.find((d) => d.type === 'selection-proof');
    expect(proof?.slot).toBe(2);
    const [subscription] = node.callsTo('prepareBeaconCommitteeSubnet');
    expect(subscription?.args.data[0].isAggregator).toBe(aggregation.status === 'published');
    // epoch 1 starts at slot 4 with 4-slot epochs: its duties are fetched then
    h.clock.advanceTo(start(4) + 1_333);
    await h.outcome(is('sync-committee-message', 4), 'sync message of epoch 1');
    expect(node.callsTo('getAttesterDuties').map((c) => c.args.epoch)).toEqual([0, 1]);
  });

  it('refuses to start when the node runs another preset than its SSZ types', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({ clock, spec: { ...MINIMAL_SPEC, PRESET_BASE: 'mainnet' } });
    const h = createHarness({ url: node.url, clock });
    const error = await h.client.start().catch((e: unknown) => e);
    expect(isOperatorError(error, 'PRESET_MISMATCH') && error.details).toEqual({
      code: 'PRESET_MISMATCH',
      specPreset: 'mainnet',
      sszPreset: 'minimal',
    });
    expect(h.client.isStarted).toBe(false);
  });

  it('wraps an unreachable beacon node at start', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({ clock });
    await node.close();
    const h = createHarness({ url: node.url, clock });
    const error = await h.client.start().catch((e: unknown) => e);
    expect(isOperatorError(error, 'BEACON_NODE_FAILED')).toBe(true);
    expect((error as Error).cause).toBeDefined();
  });

  it('stops starting slots on stop() and waits for the duties in flight', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await setup({ clock });
    let stopped: Promise<void> | undefined;
    const h: Harness = createHarness({
      url: node.url,
      clock,
      // stop as soon as slot 0's duties have started
      init: { onSlot: (slot) => (stopped ??= slot === 0 ? h.client.stop() : undefined) },
    });
    await h.client.start();
    await expect(h.client.start()).rejects.toSatisfy((e) => isOperatorError(e, 'ALREADY_STARTED'));
    h.clock.advanceTo(slotStart(0));
    // slot 0's sync duties are still due: stop waits for them
    h.clock.advanceTo(third(0));
    await h.outcome(is('sync-committee-message', 0), 'sync message');
    expect(stopped).toBeDefined();
    expect(h.client.isStarted).toBe(true);
    h.clock.advanceTo(twoThirds(0));
    await stopped;
    expect(h.client.isStarted).toBe(false);
    expect(h.outcomes.filter((o) => o.duty === 'sync-committee-contribution')).toHaveLength(2);
    // no later slot started, nothing waits any more
    expect(h.clock.pending()).toEqual([]);
    h.clock.advanceTo(slotStart(3));
    expect(h.outcomes.every((o) => o.slot === 0)).toBe(true);
    expect(node.callsTo('getAttesterDuties')).toHaveLength(1);
  });
});
