// The consensus proposal store in the slashing database's file: the first proposal recorded for an
// (instance, round) is the one sent, durably, so a leader restarted with a new candidate re-sends
// the proposal it recorded (a real `persistProposals`-wrapped rotational instance).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ConsensusOutput,
  createRotationalInstance,
  leaderOrder,
  type ProposalStore,
  persistProposals,
  RotationalKind,
} from '@diva-dvt/consensus';
import { createSimAuth, createSimScheme, simValueType } from '@diva-dvt/consensus/sim';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createInstanceGuard,
  createSlashingProtection,
  createSqliteProposalStore,
  isOperatorError,
  type SlashingProtection,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-proposal-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `db-${files++}.sqlite`);
const gvr = new Uint8Array(32).fill(7);
const open = (path = freshPath()) => createSlashingProtection({ path, genesisValidatorsRoot: gvr });
const bytes = (n: number, length = 8): Uint8Array => new Uint8Array(length).fill(n);

describe('createSqliteProposalStore', () => {
  it('answers the first message recorded per (instance, round) and lists them in round order', async () => {
    const db = await open();
    const store = createSqliteProposalStore(db);
    const a = bytes(1, 32);
    const b = bytes(2, 32);
    const message = bytes(0x31);
    expect(await store.record({ instance: a, round: 3, message })).toBe(message);
    expect(await store.record({ instance: a, round: 3, message: bytes(0x32) })).toEqual(bytes(0x31));
    await store.record({ instance: a, round: 1, message: bytes(0x11) });
    await store.record({ instance: b, round: 1, message: bytes(0x12) });
    expect(await store.recorded(a)).toEqual([bytes(0x11), bytes(0x31)]);
    expect(await store.recorded(b)).toEqual([bytes(0x12)]);
    expect(await store.recorded(bytes(3, 32))).toEqual([]);
    await db.close();
  });

  it('prunes the proposals recorded before a time', async () => {
    const db = await open();
    let nowMs = 1_000;
    const store = createSqliteProposalStore(db, { now: () => nowMs });
    await store.record({ instance: bytes(1, 32), round: 1, message: bytes(0x11) });
    nowMs = 3_000;
    await store.record({ instance: bytes(2, 32), round: 1, message: bytes(0x21) });
    expect(await store.prune(2_000)).toBe(1);
    expect(await store.recorded(bytes(1, 32))).toEqual([]);
    expect(await store.recorded(bytes(2, 32))).toEqual([bytes(0x21)]);
    await db.close();
  });

  it('rejects while the database is closed, and for malformed requests', async () => {
    const db = await open();
    const store = createSqliteProposalStore(db);
    // A rejected promise, not a throw: persistProposals calls it without a try.
    const rejected = store.record({ instance: bytes(1, 32), round: -1, message: bytes(1) });
    expect(rejected).toBeInstanceOf(Promise);
    const error = await Promise.resolve(rejected).catch((e: unknown) => e);
    expect(isOperatorError(error, 'INVALID_SLASHING_INPUT') && error.details.field).toBe('round');
    await db.close();
    const closed = await Promise.resolve(store.recorded(bytes(1, 32))).catch((e: unknown) => e);
    expect(isOperatorError(closed, 'SLASHING_DB_CLOSED')).toBe(true);
  });
});

describe('a persistProposals-wrapped rotational leader on the sqlite store', () => {
  const n = 4;
  const t = 3;
  const instance = bytes(7, 32);
  const leaderSeed = bytes(1, 32);
  const leader = leaderOrder(n, instance, leaderSeed)[0]!;
  const make = (db: SlashingProtection, store: ProposalStore) =>
    persistProposals(
      createRotationalInstance({
        n,
        t,
        self: leader,
        instance,
        leaderSeed,
        valueType: simValueType,
        scheme: createSimScheme(n, t, 1, leader),
        auth: createSimAuth(n, 1, leader),
        guard: createInstanceGuard(db),
      }),
      { instance, valueType: simValueType, store },
    );
  /** Every message of an output and of the outputs it holds pending. */
  const drain = async (out: ConsensusOutput<Uint8Array, unknown>): Promise<Uint8Array[]> => {
    const sent = out.messages.map((m) => m.bytes);
    return out.pending === undefined ? sent : [...sent, ...(await drain(await out.pending))];
  };
  const proposals = (sent: readonly Uint8Array[]) => sent.filter((m) => m[2] === RotationalKind.Proposal);

  it('after a restart re-sends the recorded proposal once, not one for its new candidate', async () => {
    const path = freshPath();
    const first = await open(path);
    const sentFirst = proposals(
      await drain(make(first, createSqliteProposalStore(first)).start(bytes(0xa, 32))),
    );
    expect(sentFirst.map((m) => m[49 + 31])).toEqual([0xa]);
    await first.close();
    // Restart: a new process state, the same file, a new candidate.
    const second = await open(path);
    const sentSecond = proposals(
      await drain(make(second, createSqliteProposalStore(second)).start(bytes(0xb, 32))),
    );
    expect(sentSecond).toEqual(sentFirst);
    await second.close();
  });

  it('sends nothing while the store cannot record', async () => {
    const db = await open();
    const store = createSqliteProposalStore(db);
    const leaderInstance = make(db, store);
    await db.close();
    expect(await drain(leaderInstance.start(bytes(0xa, 32)))).toEqual([]);
  });
});
