// CommitteeSigner: 16 members agree on one value per duty and return the group signature; fixed
// values need only the partial exchange; crashed members, bad frames and lagging members.

import { leaderOf, leaderOrder } from '@diva-dvt/consensus';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import { dutyInstanceId } from '../src/runtime/frames.ts';
import type { SigningDuty } from '../src/signer.ts';
import { bytesValueType } from './helpers/bytes-value.ts';
import { createOperators, createSigner, createValidator } from './helpers/committee.ts';
import { createMemoryHub } from './helpers/memory-network.ts';

const { bls } = await loadRuntimeBls();
const N = 16;
const T = 11;

const bytesValue = bytesValueType((v) => v[0] !== 0xff);

const signers: CommitteeSigner[] = [];
afterEach(() => {
  for (const s of signers.splice(0)) s.stop();
});

function setup(hubOptions: { delayMs?: number } = {}) {
  const operators = createOperators(N);
  const validator = createValidator(3, operators, T);
  const hub = createMemoryHub(hubOptions);
  const members = operators.map((o) => createSigner(bls, o, operators, [validator], hub.network(o.address)));
  signers.push(...members);
  const verifies = (root: Uint8Array, signature: Uint8Array) =>
    bls.verify(
      bls.publicKeyFromBytes(validator.committee.groupPublicKey),
      root,
      bls.signatureFromBytes(signature),
    );
  return { operators, validator, hub, members, verifies };
}

const duty = (type: SigningDuty['type'], slot: number, deadlineInMs = 5_000): SigningDuty => ({
  type,
  validatorIndex: 3,
  slot,
  deadlineMs: Date.now() + deadlineInMs,
});

describe('CommitteeSigner', () => {
  it('16 members with different values decide one of them, each with the group signature', async () => {
    const { members, verifies } = setup();
    const values = members.map((_, i) => new Uint8Array(32).fill(i + 1));
    const d = duty('attestation', 10);
    const decided = await Promise.all(members.map((m, i) => m.decide(values[i]!, bytesValue, d)));
    const first = decided[0]!;
    expect(values.some((v) => Buffer.compare(v, first.value) === 0)).toBe(true);
    for (const r of decided) {
      expect(Buffer.compare(r.value, first.value)).toBe(0);
      expect(verifies(sha256(r.value), r.signature)).toBe(true);
    }
  });

  it('signs a fixed root by exchanging partials only', async () => {
    const { members, verifies } = setup();
    const root = new Uint8Array(32).fill(9);
    const sigs = await Promise.all(members.map((m) => m.sign(root, duty('randao-reveal', 11))));
    for (const s of sigs) expect(verifies(root, s)).toBe(true);
  });

  it('one member combines a fixed-value signature; without it the others combine after waiting', async () => {
    const { members, operators, validator, hub, verifies } = setup();
    const root = new Uint8Array(32).fill(10);
    const d = duty('selection-proof', 30);
    const id = dutyInstanceId({
      groupPublicKey: validator.committee.groupPublicKey,
      type: d.type,
      slot: d.slot,
    });
    const combiner = leaderOf(leaderOrder(N, id, validator.committee.groupPublicKey.subarray(0, 32)), 1);
    // the designated combiner is down: the others wait for its result, then combine themselves
    hub.setDown(operators[combiner - 1]!.address, true);
    const started = Date.now();
    const up = members.filter((_, i) => i !== combiner - 1);
    const sigs = await Promise.all(up.map((m) => m.sign(root, d)));
    for (const s of sigs) expect(verifies(root, s)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // with everyone up, the others verify the combiner's signature and take it (the same bytes)
    hub.setDown(operators[combiner - 1]!.address, false);
    const again = await Promise.all(members.map((m) => m.sign(root, duty('selection-proof', 31))));
    for (const s of again) expect(Buffer.compare(s, again[0]!)).toBe(0);
  });

  it('decides with 5 members down, and times out with 6 down, signing nothing then', async () => {
    const { members, operators, hub, verifies } = setup();
    for (const o of operators.slice(0, 5)) hub.setDown(o.address, true);
    const up = members.slice(5);
    const value = new Uint8Array(32).fill(4);
    const decided = await Promise.all(
      up.map((m) => m.decide(value, bytesValue, duty('attestation', 12, 8_000))),
    );
    for (const r of decided) expect(verifies(sha256(r.value), r.signature)).toBe(true);

    hub.setDown(operators[5]!.address, true);
    const rest = members.slice(6);
    const results = await Promise.allSettled(
      rest.map((m) => m.decide(value, bytesValue, duty('attestation', 13, 2_500))),
    );
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({
        code: 'CONSENSUS_TIMEOUT',
        details: { slot: 13 },
      });
    }
  });

  it('a member that starts late still decides (messages wait for its instance)', async () => {
    const { members, verifies } = setup();
    const value = new Uint8Array(32).fill(6);
    const d = duty('sync-committee-message', 14);
    const early = members.slice(1).map((m) => m.decide(value, bytesValue, d));
    await new Promise((r) => setTimeout(r, 150));
    const late = await members[0]!.decide(value, bytesValue, d);
    expect(verifies(sha256(late.value), late.signature)).toBe(true);
    await Promise.all(early);
  });

  it('drops garbage and forged frames from a member, reports it, and decides anyway', async () => {
    const { members, operators, hub } = setup();
    const bad = operators[2]!.address;
    const victim = operators[0]!.address;
    hub.inject(bad, victim, Uint8Array.of(2, 1, 2, 3)); // a partial frame cut short
    hub.inject(bad, victim, new Uint8Array(40).fill(1));
    const value = new Uint8Array(32).fill(8);
    const d = duty('attestation', 15);
    const decided = await Promise.all(members.map((m) => m.decide(value, bytesValue, d)));
    expect(decided).toHaveLength(N);
    expect(hub.reports.filter((r) => r.from === bad && r.by === victim).length).toBeGreaterThanOrEqual(1);
  });

  it('leaves frames of the node’s other parts (and of kinds it does not know) unscored', async () => {
    const { members, operators, hub } = setup();
    const peer = operators[3]!.address;
    const victim = operators[0]!.address;
    // DKG (0x10), chain statements (0x20), accounting reports (0x21), a clock-offset frame, a newer
    // kind: on one network every part sees every frame; only the owner may score its own kinds
    for (const kind of [0x10, 0x20, 0x21, 0x04, 0x7f]) hub.inject(peer, victim, Uint8Array.of(kind, 1, 2, 3));
    const decided = await Promise.all(
      members.map((m) => m.decide(new Uint8Array(32).fill(9), bytesValue, duty('attestation', 16))),
    );
    expect(decided).toHaveLength(N);
    expect(hub.reports.filter((r) => r.from === peer)).toEqual([]);
    // its own kinds are still judged
    hub.inject(peer, victim, Uint8Array.of(2, 1, 2, 3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(hub.reports.filter((r) => r.from === peer && r.by === victim).length).toBe(1);
  });

  it('a member whose slashing protection refuses sends no partial and says so at the deadline', async () => {
    const operators = createOperators(N);
    const validator = createValidator(3, operators, T);
    const hub = createMemoryHub();
    // 6 members refuse (as if they had signed another root for this slot): 10 can never reach 11
    const refusing = new Set(operators.slice(0, 6).map((o) => o.address));
    const members = operators.map((o) =>
      createSigner(bls, o, operators, [validator], hub.network(o.address), {
        guardFor: () => ({ allow: () => Promise.resolve(!refusing.has(o.address)) }),
      }),
    );
    signers.push(...members);
    const value = new Uint8Array(32).fill(5);
    const results = await Promise.allSettled(
      members.map((m) => m.decide(value, bytesValue, duty('block', 16, 2_500))),
    );
    results.forEach((r, i) => {
      expect(r.status).toBe('rejected');
      const { code } = (r as PromiseRejectedResult).reason as { code: string };
      expect(code).toBe(i < 6 ? 'SLASHING_PROTECTION_REFUSED' : 'CONSENSUS_TIMEOUT');
    });
  });

  it('refuses an unknown validator with a clear error', async () => {
    const { members } = setup();
    await expect(
      members[0]!.sign(new Uint8Array(32), { ...duty('randao-reveal', 1), validatorIndex: 99 }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_VALIDATOR',
    });
  });
});
