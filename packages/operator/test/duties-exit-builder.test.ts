// Duties with values fixed by the request or the configuration (only the partial-signature
// exchange, no consensus): voluntary exits on request (EIP-7044: from deneb on under
// CAPELLA_FORK_VERSION) and builder registrations once per epoch with the epoch's start as the
// canonical timestamp. Signatures checked by Lodestar (@lodestar/state-transition 1.46.0 signature
// sets, computeDomain / computeSigningRoot, blst verification) against the validator's group key.
import { BeaconApiError } from '@diva-dvt/beacon-api';
import { ssz, voluntaryExitSigningRoot } from '@diva-dvt/beacon-api/spec';
import {
  computeDomain,
  computeSigningRoot,
  createPubkeyCache,
  getValidatorVoluntaryExitSignatureSet,
  type ISignatureSet,
  SignatureSetType,
  verifySignatureSet,
} from '@lodestar/state-transition';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DutyOutcome, dutyReason, isOperatorError, ValidatorClient } from '../src/index.ts';
import {
  GENESIS_TIME_SEC,
  GENESIS_VALIDATORS_ROOT,
  startTestBeaconNode,
  VALIDATOR,
} from './helpers/beacon-node.ts';
import { ELECTRA_SPEC, lodestarChain, startElectraBeaconNode } from './helpers/beacon-node-electra.ts';
import { createFakeClock } from './helpers/fake-clock.ts';
import {
  createHarness,
  groupPublicKey,
  localSigner,
  stopNow,
  verifiesWithGroupKey,
} from './helpers/harness.ts';

const SLOT_MS = 6_000;
const GENESIS_MS = GENESIS_TIME_SEC * 1000;
const slotStart = (slot: number) => GENESIS_MS + slot * SLOT_MS;
const FEE_RECIPIENT = new Uint8Array(20).fill(0xfe);
const OTHER_VALIDATOR = 6; // has a proposer setting but no duties (not active): never registered

let lodestar: Awaited<ReturnType<typeof lodestarChain>>;
const pubkeys = createPubkeyCache();
beforeAll(async () => {
  lodestar = await lodestarChain();
  pubkeys.set(VALIDATOR, groupPublicKey.bytes);
});
const lodestarVerifies = (set: ISignatureSet) => verifySignatureSet(set, pubkeys);
const version = (name: string) => Uint8Array.from(Buffer.from((ELECTRA_SPEC[name] ?? '').slice(2), 'hex'));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const is = (duty: DutyOutcome['duty'], slot: number) => (o: DutyOutcome) =>
  o.duty === duty && o.slot === slot;

async function electra(init: Parameters<typeof createHarness>[0]['init'] = {}, startMs = GENESIS_MS - 5_000) {
  const clock = createFakeClock(startMs);
  const node = await startElectraBeaconNode({ clock });
  cleanups.push(() => node.close());
  const h = createHarness({ url: node.url, clock, init });
  await h.client.start();
  cleanups.push(() => stopNow(h));
  return { node, h };
}

describe('voluntary exits on request', () => {
  it('signs the exit under the Capella domain from deneb on (EIP-7044) and submits it to the pool', async () => {
    const { node, h } = await electra();
    h.clock.advanceTo(slotStart(11)); // epoch 1 (fulu)
    const outcome = await h.client.exit(VALIDATOR, { epoch: 0 });
    expect(outcome).toMatchObject({
      duty: 'voluntary-exit',
      status: 'published',
      validatorIndex: VALIDATOR,
      slot: 0,
    });
    expect(dutyReason(outcome)).toBe('submitted');
    expect(h.outcomes).toContain(outcome);
    const [call] = node.callsTo('submitPoolVoluntaryExit');
    const signed = call?.args.data;
    expect(signed.message).toEqual({ epoch: 0, validatorIndex: VALIDATOR });
    // (compared by serialization: the SSZ types cache a root on a value they hashed)
    const sent =
      outcome.status === 'published' && outcome.duty === 'voluntary-exit' ? outcome.message : undefined;
    expect(sent && ssz.phase0.SignedVoluntaryExit.serialize(sent)).toEqual(
      ssz.phase0.SignedVoluntaryExit.serialize(signed),
    );
    // Lodestar's signature set for an exit seen at the current slot
    expect(lodestarVerifies(getValidatorVoluntaryExitSignatureSet(lodestar.config, 11, signed))).toBe(true);
    // ... which is the Capella domain, not the current fork's
    const under = (forkVersion: Uint8Array) =>
      lodestarVerifies({
        type: SignatureSetType.indexed,
        index: VALIDATOR,
        signingRoot: computeSigningRoot(
          ssz.phase0.VoluntaryExit,
          signed.message,
          computeDomain(
            lodestar.params.DOMAIN_VOLUNTARY_EXIT as Uint8Array,
            forkVersion,
            GENESIS_VALIDATORS_ROOT,
          ),
        ),
        signature: signed.signature,
      });
    expect(under(version('CAPELLA_FORK_VERSION'))).toBe(true);
    expect(under(version('FULU_FORK_VERSION'))).toBe(false);
    // the committee's instance is found by the exit epoch's first slot, whenever each member is asked
    expect(h.signed).toContainEqual({
      type: 'voluntary-exit',
      validatorIndex: VALIDATOR,
      slot: 0,
      deadlineMs: slotStart(11) + 8 * SLOT_MS,
    });
    expect(node.callsTo('registerValidator')).toEqual([]); // builder registrations are off by default
  });

  it('exits at the current epoch by default, with the fork of the exit epoch before deneb', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await startTestBeaconNode({
      clock,
      overrides: { submitPoolVoluntaryExit: () => undefined },
    });
    cleanups.push(() => node.close());
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(9));
    const outcome = await h.client.exit(VALIDATOR, { timeoutMs: 1_000 });
    expect(outcome).toMatchObject({ status: 'published', slot: 8, deadlineMs: slotStart(9) + 1_000 });
    const signed = node.callsTo('submitPoolVoluntaryExit')[0]?.args.data;
    expect(signed.message).toEqual({ epoch: 1, validatorIndex: VALIDATOR });
    expect(
      verifiesWithGroupKey(voluntaryExitSigningRoot(node.signing, signed.message, 1), signed.signature),
    ).toBe(true);
  });

  it('hands the signed exit back without publishing it when asked (an exit kept for later)', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await startTestBeaconNode({
      clock,
      overrides: { submitPoolVoluntaryExit: () => undefined },
    });
    cleanups.push(() => node.close());
    const h = createHarness({ url: node.url, clock });
    await h.client.start();
    cleanups.push(() => stopNow(h));
    h.clock.advanceTo(slotStart(9));
    const outcome = await h.client.exit(VALIDATOR, { epoch: 3, timeoutMs: 1_000, publish: false });
    expect(outcome).toMatchObject({ status: 'signed', duty: 'voluntary-exit' });
    expect(dutyReason(outcome)).toBe('signed');
    const signed =
      outcome.status === 'signed' && outcome.duty === 'voluntary-exit' ? outcome.message : undefined;
    expect(signed?.message).toMatchObject({ epoch: 3, validatorIndex: VALIDATOR });
    expect(
      verifiesWithGroupKey(voluntaryExitSigningRoot(node.signing, signed!.message, 1), signed!.signature),
    ).toBe(true);
    expect(node.callsTo('submitPoolVoluntaryExit')).toEqual([]);
  });

  it('ends as failed when the node refuses the exit, and refuses requests it cannot serve', async () => {
    const clock = createFakeClock(GENESIS_MS - 5_000);
    const node = await startElectraBeaconNode({
      clock,
      overrides: {
        submitPoolVoluntaryExit: () => {
          throw new BeaconApiError({ code: 'REQUEST_REJECTED', status: 400, reason: 'validator not active' });
        },
      },
    });
    cleanups.push(() => node.close());
    const h = createHarness({ url: node.url, clock });
    expect(() => h.client.exit(VALIDATOR)).toThrow(expect.objectContaining({ code: 'NOT_STARTED' }));
    await h.client.start();
    cleanups.push(() => stopNow(h));
    let caught: unknown;
    try {
      void h.client.exit(99);
    } catch (e) {
      caught = e;
    }
    expect(isOperatorError(caught, 'UNKNOWN_VALIDATOR')).toBe(true);
    h.clock.advanceTo(slotStart(2));
    const outcome = await h.client.exit(VALIDATOR, { epoch: 0 });
    expect(outcome.status).toBe('failed');
    expect(dutyReason(outcome)).toBe('beacon-node-unavailable');
    expect(node.callsTo('submitPoolVoluntaryExit')).toHaveLength(1);
  });
});

describe('builder registrations', () => {
  const init = {
    validatorIndices: [VALIDATOR, OTHER_VALIDATOR],
    builderRegistrations: true,
    proposerSettings: [
      { validatorIndex: VALIDATOR, feeRecipient: FEE_RECIPIENT, gasLimit: 36_000_000 },
      { validatorIndex: OTHER_VALIDATOR, feeRecipient: new Uint8Array(20).fill(1), gasLimit: 30_000_000 },
    ],
  };

  it('registers once per epoch with the epoch start as timestamp, signed under the builder domain', async () => {
    const { node, h } = await electra(init);
    h.clock.advanceTo(slotStart(0));
    const first = await h.outcome(is('builder-registration', 0), 'registration of epoch 0');
    h.clock.advanceTo(slotStart(1));
    await h.outcome(is('block', 1), 'block of slot 1');
    h.clock.advanceTo(slotStart(2));
    h.clock.advanceTo(slotStart(8));
    await h.outcome(is('builder-registration', 8), 'registration of epoch 1');

    const calls = node.callsTo('registerValidator');
    expect(calls.map((c) => c.atMs)).toEqual([slotStart(0), slotStart(8)]);
    const builderDomain = computeDomain(
      lodestar.params.DOMAIN_APPLICATION_BUILDER as Uint8Array,
      version('GENESIS_FORK_VERSION'),
      new Uint8Array(32),
    );
    for (const [epoch, call] of calls.entries()) {
      // only the validator with an attester duty (its public key) is registered
      expect(call.args.data).toHaveLength(1);
      const [signed] = call.args.data;
      expect(signed.message).toEqual({
        feeRecipient: FEE_RECIPIENT,
        gasLimit: 36_000_000,
        timestamp: GENESIS_TIME_SEC + epoch * 8 * 6,
        pubkey: new Uint8Array(48), // the attester duty's pubkey, as the test node serves it
      });
      const signingRoot = computeSigningRoot(
        ssz.bellatrix.ValidatorRegistrationV1,
        signed.message,
        builderDomain,
      );
      expect(
        lodestarVerifies({
          type: SignatureSetType.indexed,
          index: VALIDATOR,
          signingRoot,
          signature: signed.signature,
        }),
      ).toBe(true);
    }
    expect(first).toMatchObject({ status: 'published', validatorIndex: VALIDATOR, deadlineMs: slotStart(8) });
    expect(h.signed.filter((d) => d.type === 'builder-registration').map((d) => d.slot)).toEqual([0, 8]);
    // the fee recipient also goes to the node each epoch, and with the block request
    const preparations = node.callsTo('prepareBeaconProposer');
    expect(preparations.map((c) => c.atMs)).toEqual([slotStart(0), slotStart(8)]);
    expect(preparations[0]?.args.data).toEqual([
      { validatorIndex: VALIDATOR, feeRecipient: FEE_RECIPIENT },
      { validatorIndex: OTHER_VALIDATOR, feeRecipient: new Uint8Array(20).fill(1) },
    ]);
    expect(node.callsTo('produceBlock')[0]?.args.feeRecipient).toEqual(FEE_RECIPIENT);
  });

  it('gives members that start at different times in the epoch the same registration to sign', async () => {
    const early = await electra(init);
    early.h.clock.advanceTo(slotStart(0));
    const a = await early.h.outcome(is('builder-registration', 0), 'early member');
    const late = await electra(init, slotStart(5) + 1_234);
    late.h.clock.advanceTo(slotStart(6));
    const b = await late.h.outcome(is('builder-registration', 0), 'late member');
    expect(a.status === 'published' && b.status === 'published').toBe(true);
    const bytes = (o: DutyOutcome) =>
      o.status === 'published' && o.duty === 'builder-registration'
        ? ssz.bellatrix.SignedValidatorRegistrationV1.serialize(o.message)
        : undefined;
    expect(bytes(b)).toEqual(bytes(a));
    expect(bytes(a)).toBeDefined();
  });

  it('gives every validator not listed the default setting (the protocol vault, in Diva)', async () => {
    const vault = new Uint8Array(20).fill(0xee);
    const { node, h } = await electra({
      validatorIndices: [VALIDATOR, OTHER_VALIDATOR],
      builderRegistrations: true,
      proposerSettings: [
        { validatorIndex: OTHER_VALIDATOR, feeRecipient: new Uint8Array(20).fill(1), gasLimit: 30_000_000 },
      ],
      defaultProposerSetting: { feeRecipient: vault, gasLimit: 36_000_000 },
    });
    h.clock.advanceTo(slotStart(0));
    const registration = await h.outcome(is('builder-registration', 0), 'registration of epoch 0');
    h.clock.advanceTo(slotStart(1));
    await h.outcome(is('block', 1), 'block of slot 1');
    expect(node.callsTo('prepareBeaconProposer')[0]?.args.data).toEqual([
      { validatorIndex: VALIDATOR, feeRecipient: vault },
      { validatorIndex: OTHER_VALIDATOR, feeRecipient: new Uint8Array(20).fill(1) },
    ]);
    expect(node.callsTo('produceBlock')[0]?.args.feeRecipient).toEqual(vault);
    expect(registration.status === 'published' && registration.duty === 'builder-registration').toBe(true);
    if (registration.status === 'published' && registration.duty === 'builder-registration') {
      expect(registration.message.message.feeRecipient).toEqual(vault);
      expect(registration.message.message.gasLimit).toBe(36_000_000);
    }
    const bad = () =>
      new ValidatorClient(
        { api: {} as never, signer: localSigner(), clock: createFakeClock(0) },
        { validatorIndices: [VALIDATOR], defaultProposerSetting: { feeRecipient: vault, gasLimit: -1 } },
      );
    expect(bad).toThrow('defaultProposerSetting.gasLimit');
  });

  it('refuses invalid proposer settings, naming the entry', () => {
    const make = (feeRecipient: Uint8Array, gasLimit = 30_000_000) =>
      new ValidatorClient(
        { api: {} as never, signer: localSigner(), clock: createFakeClock(0) },
        {
          validatorIndices: [VALIDATOR],
          proposerSettings: [{ validatorIndex: VALIDATOR, feeRecipient, gasLimit }],
        },
      );
    expect(() => make(new Uint8Array(19))).toThrow('proposerSettings[0].feeRecipient');
    expect(() => make(FEE_RECIPIENT, 0)).toThrow('proposerSettings[0].gasLimit');
    expect(() => make(FEE_RECIPIENT)).not.toThrow();
  });
});
