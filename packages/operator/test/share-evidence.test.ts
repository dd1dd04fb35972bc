// A key share that signed two roots of one consensus instance (double-signed-partial evidence):
// turned into the contract's form from the wire messages the consensus library reports (VOTEs,
// whose values come from the instance, and ROUND-CHANGEs, which carry theirs), classified as
// provable or not (Ethereum slashes double and surround votes and double proposals only), and kept
// in the evidence store (real node:sqlite) once per (validator, instance, share) through a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttestationData, ssz } from '@diva-dvt/beacon-api/spec';
import { type Evidence, verifyEvidence } from '@diva-dvt/consensus';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSlashingProtection,
  createSqliteEvidenceStore,
  type DoubleSignedPartial,
  doubleSignedPartialOf,
  isOperatorError,
  unprovableReason,
} from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { createOperators } from './helpers/committee.ts';
import { roundChangeMessage, voteMessage } from './helpers/proposals.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-share-evidence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open = (path: string) =>
  createSlashingProtection({ path, genesisValidatorsRoot: new Uint8Array(32).fill(7) });

const operators = createOperators(4, 9);
const publicKeys = operators.map((o) => o.publicKey);
const authOf = (member: number) =>
  createOperatorAuthenticator({
    secretKey: operators[member - 1]!.secretKey,
    publicKeys,
    direct: { bytes: undefined, member: 0 },
  });
const INSTANCE = new Uint8Array(32).fill(0x21);
const GROUP_KEY = new Uint8Array(48).fill(0x99);
const PUBLIC_SHARES = new Uint8Array(4 * 48).fill(0x42);
const rootOf = (v: Uint8Array) => sha256(v);

function attestation(blockRoot: number, source: number, target: number): Uint8Array {
  const data: AttestationData = {
    slot: target * 32,
    index: 0,
    beaconBlockRoot: new Uint8Array(32).fill(blockRoot),
    source: { epoch: source, root: new Uint8Array(32).fill(0x50 + source) },
    target: { epoch: target, root: new Uint8Array(32).fill(0x90 + target) },
  };
  return ssz.phase0.AttestationData.serialize(data);
}

const partial = (b: number) => new Uint8Array(96).fill(b);
const sign = (member: number) => (p: Uint8Array) => authOf(member).sign(p);
const context = (known: readonly Uint8Array[]) => ({
  operator: operators[1]!.address,
  groupPublicKey: GROUP_KEY,
  committee: operators.map((o) => o.address),
  publicShares: PUBLIC_SHARES,
  duty: 'attestation' as const,
  rootOf,
  valueOf: (root: Uint8Array) => known.find((v) => Buffer.compare(rootOf(v), root) === 0),
});

describe('doubleSignedPartialOf', () => {
  const a = attestation(1, 3, 4);
  const b = attestation(2, 3, 4);
  const evidence: Evidence = {
    kind: 'double-signed-partial',
    member: 2,
    messages: [
      voteMessage(INSTANCE, 1, 2, rootOf(a), partial(1), sign(2)),
      roundChangeMessage(
        INSTANCE,
        3,
        2,
        { value: b, partial: partial(2), proposal: new Uint8Array(0) },
        sign(2),
      ),
    ],
  };

  it('reads the two partials and values of a VOTE and a ROUND-CHANGE that the library accepts as evidence', () => {
    expect(verifyEvidence(evidence, authOf(1), rootOf)).toBe(true);
    const e = doubleSignedPartialOf(evidence, context([a]));
    expect(e).toMatchObject({
      operator: operators[1]!.address,
      instance: `0x${'21'.repeat(32)}`,
      shareIndex: 2,
      duty: 'attestation',
      first: { root: rootOf(a), value: a, partial: partial(1) },
      second: { root: rootOf(b), value: b, partial: partial(2) },
      unprovable: undefined,
    });
  });

  it('keeps a VOTE whose value this node never saw, as unprovable', () => {
    expect(doubleSignedPartialOf(evidence, context([]))).toMatchObject({
      first: { value: undefined },
      unprovable: 'this node never saw the value of a signed root (a VOTE carries only its root)',
    });
  });

  it('answers undefined for another kind or messages that are not two roots of one instance', () => {
    expect(doubleSignedPartialOf({ ...evidence, kind: 'equivocating-leader' }, context([a]))).toBeUndefined();
    const same = voteMessage(INSTANCE, 2, 2, rootOf(a), partial(3), sign(2));
    expect(
      doubleSignedPartialOf({ ...evidence, messages: [evidence.messages[0], same] }, context([a])),
    ).toBeUndefined();
    const elsewhere = voteMessage(new Uint8Array(32), 1, 2, rootOf(b), partial(3), sign(2));
    expect(
      doubleSignedPartialOf({ ...evidence, messages: [evidence.messages[0], elsewhere] }, context([a, b])),
    ).toBeUndefined();
  });
});

describe('unprovableReason', () => {
  it('proves double votes, surround votes and double proposals only', () => {
    expect(unprovableReason('attestation', attestation(1, 3, 4), attestation(2, 3, 4))).toBeUndefined();
    expect(unprovableReason('attestation', attestation(1, 1, 6), attestation(2, 3, 4))).toBeUndefined();
    expect(unprovableReason('attestation', attestation(1, 3, 4), attestation(1, 3, 4))).toBe(
      'the same attestation data twice',
    );
    expect(unprovableReason('attestation', attestation(1, 3, 4), attestation(1, 4, 5))).toMatch(
      /not slashable/,
    );
    const header = (body: number, slot = 9) =>
      ssz.phase0.BeaconBlockHeader.serialize({
        slot,
        proposerIndex: 7,
        parentRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        bodyRoot: new Uint8Array(32).fill(body),
      });
    expect(unprovableReason('block', header(1), header(2))).toBeUndefined();
    expect(unprovableReason('block', header(1), header(2, 10))).toMatch(/not a double proposal/);
    expect(unprovableReason('block', header(1), attestation(1, 3, 4))).toMatch(/BeaconBlockHeader/);
    expect(unprovableReason('sync-committee-message', new Uint8Array(32), new Uint8Array(32))).toMatch(
      /not slashable on Ethereum/,
    );
  });
});

const record = (instance: number, shareIndex: number, unprovable?: string): DoubleSignedPartial => ({
  operator: operators[shareIndex - 1]!.address,
  groupPublicKey: GROUP_KEY,
  instance: `0x${instance.toString(16).padStart(2, '0').repeat(32)}`,
  shareIndex,
  committee: operators.map((o) => o.address),
  publicShares: PUBLIC_SHARES,
  duty: 'attestation',
  first: { root: rootOf(attestation(1, 3, 4)), value: attestation(1, 3, 4), partial: partial(1) },
  second: { root: new Uint8Array(32).fill(5), value: undefined, partial: partial(2) },
  unprovable,
});

describe('the evidence store’s double-signed partials', () => {
  it('keeps one per (validator, instance, share) across a restart, with the chain’s answer', async () => {
    const path = join(dir, 'partials.sqlite');
    let now = 1_000;
    let protection = await open(path);
    let store = createSqliteEvidenceStore(protection, { now: () => now++ });
    expect(store.recordDoubleSignedPartial(record(0x31, 2))).toBe(true);
    expect(store.recordDoubleSignedPartial(record(0x31, 2))).toBe(false);
    expect(store.recordDoubleSignedPartial(record(0x31, 3, 'a reason'))).toBe(true);
    expect(store.recordDoubleSignedPartial(record(0x32, 2))).toBe(true);
    protection.close();

    protection = await open(path);
    store = createSqliteEvidenceStore(protection);
    const held = store.doubleSignedPartials();
    expect(held).toHaveLength(3);
    const { recordedAtMs, proof, ...first } = held[0]!;
    expect({ recordedAtMs, proof }).toEqual({ recordedAtMs: 1_000, proof: undefined });
    expect(first).toEqual(record(0x31, 2));
    expect(held[1]!.unprovable).toBe('a reason');
    // the unprovable one is never offered for submission
    expect(store.doubleSignedPartials({ unproven: true }).map((e) => [e.instance, e.shareIndex])).toEqual([
      [record(0x31, 2).instance, 2],
      [record(0x32, 2).instance, 2],
    ]);
    store.markPartialProven(
      { groupPublicKey: GROUP_KEY, instance: record(0x31, 2).instance, shareIndex: 2 },
      { status: 'proven', transaction: `0x${'ee'.repeat(32)}` },
    );
    protection.close();

    protection = await open(path);
    store = createSqliteEvidenceStore(protection);
    expect(store.doubleSignedPartials({ unproven: true }).map((e) => e.instance)).toEqual([
      record(0x32, 2).instance,
    ]);
    expect(store.doubleSignedPartials()[0]!.proof).toEqual({
      status: 'proven',
      transaction: `0x${'ee'.repeat(32)}`,
    });
    protection.close();
  });

  it('refuses evidence that proves nothing, naming the field', async () => {
    const protection = await open(join(dir, 'refusals.sqlite'));
    const store = createSqliteEvidenceStore(protection);
    const field = (e: DoubleSignedPartial) => {
      try {
        store.recordDoubleSignedPartial(e);
        return 'stored';
      } catch (error) {
        return isOperatorError(error, 'INVALID_EVIDENCE') ? error.details.field : error;
      }
    };
    const good = record(0x33, 2);
    expect(field({ ...good, second: { ...good.second, root: good.first.root } })).toBe('second');
    expect(field({ ...good, shareIndex: 3 })).toBe('committee');
    expect(field({ ...good, shareIndex: 5 })).toBe('shareIndex');
    expect(field({ ...good, publicShares: new Uint8Array(48) })).toBe('publicShares');
    expect(field({ ...good, first: { ...good.first, partial: new Uint8Array(48) } })).toBe('first.partial');
    expect(store.doubleSignedPartials()).toEqual([]);
    protection.close();
  });
});
