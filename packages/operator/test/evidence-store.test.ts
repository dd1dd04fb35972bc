// The evidence store in the slashing database's file (real node:sqlite): a leader's two signed
// proposals kept in the contract's form, once per (operator, instance, round), through a restart,
// with the chain's answer; consensus evidence the contract would refuse is never stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evidence } from '@diva-dvt/consensus';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSlashingProtection,
  createSqliteEvidenceStore,
  isOperatorError,
  type LeaderEquivocation,
  leaderEquivocationOf,
  proposalDomainSeparator,
} from '../src/index.ts';
import { createOperatorAuthenticator } from '../src/runtime/auth.ts';
import { proposalMessage } from './helpers/proposals.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-evidence-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gvr = new Uint8Array(32).fill(7);
const open = (path: string) => createSlashingProtection({ path, genesisValidatorsRoot: gvr });

const KEY = new Uint8Array(32).fill(0x4a);
const LEADER = '0xacd4fb2e5246cfe90f41e9be507b559d0991867c';
const GROUP_KEY = new Uint8Array(48).fill(0x99);
const INSTANCE = new Uint8Array(32).fill(0x11);
const rootOf = (v: Uint8Array) => keccak_256(v);
const separator = proposalDomainSeparator({
  chainId: 31337,
  evidenceContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
});

const auth = (withDomain: boolean) =>
  createOperatorAuthenticator({
    secretKey: KEY,
    publicKeys: [],
    direct: { bytes: undefined, member: 0 },
    ...(withDomain ? { proposals: { domainSeparator: separator, rootOf } } : {}),
  });

function equivocation(round: number, a: number, b: number, withDomain = true): Evidence {
  const sign = (p: Uint8Array) => auth(withDomain).sign(p);
  return {
    kind: 'equivocating-leader',
    member: 1,
    messages: [
      proposalMessage(INSTANCE, round, 1, new Uint8Array(8).fill(a), sign),
      proposalMessage(INSTANCE, round, 1, new Uint8Array(8).fill(b), sign),
    ],
  };
}
const context = { operator: LEADER, groupPublicKey: GROUP_KEY, rootOf } as const;

describe('leaderEquivocationOf', () => {
  it('turns two EIP-712-signed proposals of one round into the contract’s form', () => {
    const e = leaderEquivocationOf(equivocation(3, 1, 2), context);
    expect(e).toMatchObject({
      operator: LEADER,
      first: { instance: `0x${'11'.repeat(32)}`, round: 3n },
      second: { instance: `0x${'11'.repeat(32)}`, round: 3n },
    });
    expect(e!.first.valueRoot).not.toBe(e!.second.valueRoot);
  });

  it('answers undefined for what the contract would refuse', () => {
    // proposals signed without the domain (64-byte signatures): no ecrecover could name the leader
    expect(leaderEquivocationOf(equivocation(3, 1, 2, false), context)).toBeUndefined();
    // another kind of evidence, and two encodings of one root
    expect(leaderEquivocationOf({ ...equivocation(3, 1, 2), kind: 'double-signed-partial' }, context)).toBe(
      undefined,
    );
    expect(
      leaderEquivocationOf(equivocation(3, 1, 1), { ...context, rootOf: () => new Uint8Array(32) }),
    ).toBe(undefined);
    const [a] = equivocation(3, 1, 2).messages;
    const [, b] = equivocation(4, 1, 2).messages;
    expect(leaderEquivocationOf({ kind: 'equivocating-leader', member: 1, messages: [a, b] }, context)).toBe(
      undefined,
    );
  });
});

describe('createSqliteEvidenceStore', () => {
  it('keeps one equivocation per (operator, instance, round) across a restart, with its proof', async () => {
    const path = join(dir, 'restart.sqlite');
    const db = await open(path);
    const store = createSqliteEvidenceStore(db, { now: () => 1_000 });
    const e = leaderEquivocationOf(equivocation(3, 1, 2), context)!;
    expect(store.recordLeaderEquivocation(e)).toBe(true);
    expect(store.recordLeaderEquivocation(e)).toBe(false);
    // the leader's third proposal of the round is the same offence
    expect(store.recordLeaderEquivocation(leaderEquivocationOf(equivocation(3, 1, 5), context)!)).toBe(false);
    expect(store.recordLeaderEquivocation(leaderEquivocationOf(equivocation(4, 1, 2), context)!)).toBe(true);
    await db.close();

    const reopened = await open(path);
    const again = createSqliteEvidenceStore(reopened);
    const held = again.leaderEquivocations();
    expect(held).toHaveLength(2);
    expect(held[0]).toEqual({ ...e, recordedAtMs: 1_000, proof: undefined });
    again.markProven(
      { operator: LEADER, instance: e.first.instance, round: 3n },
      { status: 'proven', transaction: `0x${'ee'.repeat(32)}` },
    );
    expect(again.leaderEquivocations({ unproven: true }).map((x) => x.first.round)).toEqual([4n]);
    expect(again.leaderEquivocations()[0]!.proof).toEqual({
      status: 'proven',
      transaction: `0x${'ee'.repeat(32)}`,
    });
    await reopened.close();
  });

  it('refuses evidence that proves nothing, naming the field', async () => {
    const db = await open(join(dir, 'refuse.sqlite'));
    const store = createSqliteEvidenceStore(db);
    const e = leaderEquivocationOf(equivocation(3, 1, 2), context)!;
    const cases: [LeaderEquivocation, string][] = [
      [{ ...e, second: { ...e.second, valueRoot: e.first.valueRoot } }, 'second'],
      [{ ...e, second: { ...e.second, round: 4n } }, 'second'],
      [{ ...e, first: { ...e.first, signature: `0x${'00'.repeat(64)}` } }, 'first.signature'],
      [{ ...e, groupPublicKey: new Uint8Array(32) }, 'groupPublicKey'],
      [{ ...e, operator: '0xACD4' }, 'operator'],
    ];
    for (const [bad, field] of cases) {
      let error: unknown;
      try {
        store.recordLeaderEquivocation(bad);
      } catch (caught) {
        error = caught;
      }
      expect(isOperatorError(error, 'INVALID_EVIDENCE') && error.details.field).toBe(field);
    }
    expect(store.leaderEquivocations()).toHaveLength(0);
    await db.close();
  });
});
