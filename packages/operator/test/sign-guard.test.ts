// The consensus sign guards on the slashing database: what Ethereum slashes is refused across
// consensus instances (a duty re-run under a new instance id), a refusal is reported with its
// reason, and an allow is durable before it resolves, even against SIGKILL.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import type { AttestationData } from '@diva-dvt/beacon-api/spec';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createAttestationGuard,
  createBlockGuard,
  createInstanceGuard,
  createSlashingProtection,
  isOperatorError,
  type SignGuardRefusal,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-sign-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `db-${files++}.sqlite`);
const gvr = new Uint8Array(32).fill(7);
const open = (path = freshPath()) => createSlashingProtection({ path, genesisValidatorsRoot: gvr });

const pubkey = new Uint8Array(48).fill(1);
const root = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const instance = (n: number): Uint8Array => new Uint8Array(32).fill(0x80 + n);
const data = (slot: number, source: number, target: number): AttestationData => ({
  slot,
  index: 0,
  beaconBlockRoot: root(0xbb),
  source: { epoch: source, root: root(0xaa) },
  target: { epoch: target, root: root(0xcc) },
});

describe('createAttestationGuard', () => {
  it('allows the same root again and refuses a double or surrounding vote from another instance', async () => {
    const db = await open();
    const refusals: SignGuardRefusal[] = [];
    const guard = createAttestationGuard(db, pubkey, { onRefused: (r) => refusals.push(r) });
    expect(await guard.allow({ instance: instance(1), value: data(40, 3, 5), root: root(1) })).toBe(true);
    // The duty re-run under a new instance id: the same root is fine, another one is a double vote.
    expect(await guard.allow({ instance: instance(2), value: data(40, 3, 5), root: root(1) })).toBe(true);
    expect(await guard.allow({ instance: instance(2), value: data(40, 3, 5), root: root(2) })).toBe(false);
    expect(await guard.allow({ instance: instance(3), value: data(48, 2, 6), root: root(3) })).toBe(false);
    expect(refusals).toEqual([
      { reason: 'DOUBLE_VOTE', instance: instance(2), root: root(2) },
      { reason: 'SURROUNDING_VOTE', instance: instance(3), root: root(3) },
    ]);
    // Another validator's guard on the same database is independent.
    const other = createAttestationGuard(db, new Uint8Array(48).fill(2));
    expect(await other.allow({ instance: instance(4), value: data(40, 3, 5), root: root(2) })).toBe(true);
    await db.close();
  });

  it('records the checks of one macrotask together, each against the ones before it', async () => {
    const db = await open();
    const guards = Array.from({ length: 50 }, (_, i) =>
      createAttestationGuard(db, new Uint8Array(48).fill(i)),
    );
    const answers = await Promise.all([
      ...guards.map((g, i) => g.allow({ instance: instance(i), value: data(8, 0, 1), root: root(1) })),
      guards[0]!.allow({ instance: instance(99), value: data(8, 0, 1), root: root(2) }),
    ]);
    expect(answers).toEqual([...guards.map(() => true), false]);
    const exported = await db.exportInterchange();
    expect(exported.data).toHaveLength(50);
    expect(exported.data[0]?.signed_attestations).toEqual([
      { source_epoch: '0', target_epoch: '1', signing_root: `0x${'01'.repeat(32)}` },
    ]);
    await db.close();
  });

  it('commits the checks of one macrotask in one transaction (WAL frames, seen from another connection)', async () => {
    const path = freshPath();
    const db = await open(path);
    const observer = new DatabaseSync(path);
    /** Frames written to the WAL since the last call (which checkpoints and empties it). */
    const framesWritten = (): number => {
      const { log } = observer.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { log: number };
      const { busy } = observer.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number };
      expect(busy).toBe(0);
      return log;
    };
    const pubkeys = Array.from({ length: 40 }, (_, i) => new Uint8Array(48).fill(i));
    const guards = pubkeys.map((p) => createAttestationGuard(db, p));
    await Promise.all(
      guards.map((g, i) => g.allow({ instance: instance(i), value: data(8, 0, 1), root: root(1) })),
    );
    framesWritten();
    await Promise.all(
      guards.map((g, i) => g.allow({ instance: instance(i), value: data(16, 1, 2), root: root(2) })),
    );
    const batched = framesWritten();
    for (const pubkey of pubkeys) {
      await db.checkAndRecordAttestation({ pubkey, sourceEpoch: 2, targetEpoch: 3, signingRoot: root(3) });
    }
    const oneByOne = framesWritten();
    // One commit writes each page it changed once; forty commits write them again and again.
    expect(batched).toBeGreaterThan(0);
    expect(oneByOne).toBeGreaterThanOrEqual(40);
    expect(batched).toBeLessThan(10);
    observer.close();
    await db.close();
  });

  it('refuses with GUARD_FAILED for a malformed value or a closed database, whatever onRefused does', async () => {
    const db = await open();
    const reasons: unknown[] = [];
    const guard = createAttestationGuard(db, pubkey, {
      onRefused: (r) => {
        reasons.push(isOperatorError(r.cause) ? `${r.reason}:${r.cause.code}` : r.reason);
        throw new Error('a logger that fails');
      },
    });
    expect(await guard.allow({ instance: instance(1), value: data(8, -1, 1), root: root(1) })).toBe(false);
    await db.close();
    expect(await guard.allow({ instance: instance(1), value: data(8, 0, 1), root: root(1) })).toBe(false);
    expect(reasons).toEqual(['GUARD_FAILED:INVALID_SLASHING_INPUT', 'GUARD_FAILED:SLASHING_DB_CLOSED']);
    expect(() => createAttestationGuard(db, pubkey.subarray(1))).toThrow(/validatorPubkey/);
  });

  it('answers a check queued when the database closes, and the record stays', async () => {
    const path = freshPath();
    const db = await open(path);
    const answer = createAttestationGuard(db, pubkey).allow({
      instance: instance(1),
      value: data(8, 0, 1),
      root: root(1),
    });
    await db.close();
    expect(await answer).toBe(true);
    const again = await open(path);
    expect(
      await createAttestationGuard(again, pubkey).allow({
        instance: instance(2),
        value: data(8, 0, 1),
        root: root(2),
      }),
    ).toBe(false);
    await again.close();
  });
});

describe('createBlockGuard', () => {
  it('refuses a second block root at a slot from another instance, allows the same root', async () => {
    const db = await open();
    const refusals: string[] = [];
    const guard = createBlockGuard(db, pubkey, { onRefused: (r) => refusals.push(r.reason) });
    expect(await guard.allow({ instance: instance(1), value: { slot: 100 }, root: root(1) })).toBe(true);
    expect(await guard.allow({ instance: instance(2), value: { slot: 100 }, root: root(1) })).toBe(true);
    expect(await guard.allow({ instance: instance(2), value: { slot: 100 }, root: root(2) })).toBe(false);
    expect(await guard.allow({ instance: instance(3), value: { slot: 99 }, root: root(3) })).toBe(false);
    expect(refusals).toEqual(['DOUBLE_PROPOSAL', 'BELOW_LOWEST_SIGNED']);
    await db.close();
  });

  it('takes the slot from slotOf for values without a slot field', async () => {
    const db = await open();
    const guard = createBlockGuard(db, pubkey, {
      slotOf: (contents: { block: { slot: number } }) => contents.block.slot,
    });
    expect(await guard.allow({ instance: instance(1), value: { block: { slot: 7 } }, root: root(1) })).toBe(
      true,
    );
    expect(await guard.allow({ instance: instance(2), value: { block: { slot: 7 } }, root: root(2) })).toBe(
      false,
    );
    await db.close();
  });
});

describe('createInstanceGuard (duties Ethereum does not slash)', () => {
  it('allows one root per instance, durably, and prunes old instances', async () => {
    const path = freshPath();
    let nowMs = 1_000;
    const db = await open(path);
    const refusals: string[] = [];
    const guard = createInstanceGuard(db, { now: () => nowMs, onRefused: (r) => refusals.push(r.reason) });
    expect(await guard.allow({ instance: instance(1), value: 'a', root: root(1) })).toBe(true);
    expect(await guard.allow({ instance: instance(1), value: 'a', root: root(1) })).toBe(true);
    expect(await guard.allow({ instance: instance(1), value: 'b', root: root(2) })).toBe(false);
    // Another instance of the same duty may sign another aggregate: not slashable.
    expect(await guard.allow({ instance: instance(2), value: 'b', root: root(2) })).toBe(true);
    expect(refusals).toEqual(['OTHER_ROOT_SIGNED']);
    await db.close();
    const again = await open(path);
    nowMs = 5_000;
    const reopened = createInstanceGuard(again, { now: () => nowMs });
    expect(await reopened.allow({ instance: instance(1), value: 'b', root: root(2) })).toBe(false);
    expect(await reopened.allow({ instance: instance(3), value: 'c', root: root(3) })).toBe(true);
    expect(await reopened.prune(2_000)).toBe(2);
    expect(await reopened.allow({ instance: instance(1), value: 'b', root: root(2) })).toBe(true);
    expect(await reopened.allow({ instance: instance(3), value: 'd', root: root(4) })).toBe(false);
    await again.close();
  });
});

describe('a guard in a process killed with SIGKILL right after it allowed', () => {
  it('keeps the record: the reopened database refuses another root for that target', async () => {
    const path = freshPath();
    const src = (name: string) => JSON.stringify(fileURLToPath(new URL(`../src/${name}`, import.meta.url)));
    const script = `
      const { createSlashingProtection } = await import(${src('slashing-protection.ts')});
      const { createAttestationGuard } = await import(${src('sign-guard.ts')});
      const db = await createSlashingProtection({ path: ${JSON.stringify(path)}, genesisValidatorsRoot: new Uint8Array(32).fill(7) });
      const guard = createAttestationGuard(db, new Uint8Array(48).fill(1));
      const epoch = (e) => ({ epoch: e, root: new Uint8Array(32) });
      const value = { slot: 40, index: 0, beaconBlockRoot: new Uint8Array(32), source: epoch(3), target: epoch(5) };
      const allowed = await guard.allow({ instance: new Uint8Array(32).fill(0x81), value, root: new Uint8Array(32).fill(1) });
      process.stdout.write(allowed ? 'allowed\\n' : 'refused\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (d: string) => resolve(d.trim()));
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    expect(said).toBe('allowed');
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const db = await open(path);
    const refusals: string[] = [];
    const guard = createAttestationGuard(db, pubkey, { onRefused: (r) => refusals.push(r.reason) });
    expect(await guard.allow({ instance: instance(2), value: data(40, 3, 5), root: root(2) })).toBe(false);
    expect(await guard.allow({ instance: instance(2), value: data(40, 3, 5), root: root(1) })).toBe(true);
    expect(refusals).toEqual(['DOUBLE_VOTE']);
    await db.close();
  });
});
