// Equivocation evidence kept until it is proven on chain: a leader's two signed proposals for one
// (instance, round) with different value roots, in the form EvidenceSlasher.proveEquivocatingLeader
// takes (./runtime/leader-proposal.ts), with the validator they were for (its group key: the chain
// names the draw) and whether it was submitted. In the slashing database's file (same durability,
// one file to back up); one row per (operator, instance, round), which is also what the contract
// punishes once (`equivocationKey`), so a leader's third proposal of a round adds nothing.
// Beside them, a member's key share that signed two roots of one instance (./share-evidence.ts):
// one row per (validator, instance, share index), as consensus reports a double signer once.
import type { Evidence } from '@diva-dvt/consensus';
import type { OperatorAddress } from './committee/types.ts';
import { OperatorError } from './errors.ts';
import { leaderProposalOf, type SignedLeaderProposal } from './runtime/leader-proposal.ts';
import type { DoubleSignedPartial } from './share-evidence.ts';
import { checkUint } from './slashing/rules.ts';
import { hostedFile, type SlashingProtection } from './slashing-protection.ts';

/** A leader that signed two proposals with different value roots for one instance and round. */
export interface LeaderEquivocation {
  readonly operator: OperatorAddress;
  /** 48 bytes: the validator whose consensus instance it was (the chain finds its draw). */
  readonly groupPublicKey: Uint8Array;
  readonly first: SignedLeaderProposal;
  readonly second: SignedLeaderProposal;
}

/** What became of a stored equivocation on chain. */
export type EvidenceProof =
  | { readonly status: 'proven'; readonly transaction: `0x${string}` }
  /** The contract had punished it already (another member's proof, or this node's before a restart). */
  | { readonly status: 'already-proven' }
  /**
   * The operator is not (or no longer: punished for another equivocation and replaced) in the
   * validator's committee: the contract cannot punish it for this one, so it is not tried again.
   */
  | { readonly status: 'not-a-member' };

export interface StoredLeaderEquivocation extends LeaderEquivocation {
  readonly recordedAtMs: number;
  readonly proof: EvidenceProof | undefined;
}

export interface StoredDoubleSignedPartial extends DoubleSignedPartial {
  readonly recordedAtMs: number;
  readonly proof: EvidenceProof | undefined;
}

/** Names one stored double-signed partial: the validator, the instance and the share. */
export interface DoubleSignedPartialKey {
  readonly groupPublicKey: Uint8Array;
  readonly instance: `0x${string}`;
  readonly shareIndex: number;
}

export interface EvidenceStore {
  /** Keeps `evidence` (checked: one instance and round, different roots); false if already held. */
  recordLeaderEquivocation(evidence: LeaderEquivocation): boolean;
  /** What is held, oldest first; `unproven` leaves out what the chain has accepted. */
  leaderEquivocations(options?: { readonly unproven?: boolean }): StoredLeaderEquivocation[];
  /** Records the chain's answer for the equivocation of `operator` in (`instance`, `round`). */
  markProven(
    key: { readonly operator: OperatorAddress; readonly instance: `0x${string}`; readonly round: bigint },
    proof: EvidenceProof,
  ): void;
  /**
   * Keeps a share's two signed roots (checked: different roots, 96-byte partials); false if this
   * share's evidence for the instance is already held. Unprovable evidence is kept, never submitted.
   */
  recordDoubleSignedPartial(evidence: DoubleSignedPartial): boolean;
  /** What is held, oldest first; `unproven` keeps only the provable ones the chain has not accepted. */
  doubleSignedPartials(options?: { readonly unproven?: boolean }): StoredDoubleSignedPartial[];
  /** Records the chain's answer for a stored double-signed partial. */
  markPartialProven(key: DoubleSignedPartialKey, proof: EvidenceProof): void;
}

export interface SqliteEvidenceStoreOptions {
  /** The time recorded with each piece of evidence (unix ms; default `Date.now`). */
  readonly now?: () => number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leader_equivocations (
  operator TEXT NOT NULL,
  instance BLOB NOT NULL,
  round INTEGER NOT NULL,
  group_public_key BLOB NOT NULL,
  first_root BLOB NOT NULL,
  first_signature BLOB NOT NULL,
  second_root BLOB NOT NULL,
  second_signature BLOB NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  proof TEXT,
  PRIMARY KEY (operator, instance, round)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS double_signed_partials (
  group_public_key BLOB NOT NULL,
  instance BLOB NOT NULL,
  share_index INTEGER NOT NULL,
  operator TEXT NOT NULL,
  committee TEXT NOT NULL,
  public_shares BLOB NOT NULL,
  duty TEXT NOT NULL,
  first_root BLOB NOT NULL,
  first_value BLOB,
  first_partial BLOB NOT NULL,
  second_root BLOB NOT NULL,
  second_value BLOB,
  second_partial BLOB NOT NULL,
  unprovable TEXT,
  recorded_at_ms INTEGER NOT NULL,
  proof TEXT,
  PRIMARY KEY (group_public_key, instance, share_index)
) STRICT, WITHOUT ROWID;
`;

interface PartialRow {
  group_public_key: Uint8Array;
  instance: Uint8Array;
  share_index: number;
  operator: string;
  committee: string;
  public_shares: Uint8Array;
  duty: string;
  first_root: Uint8Array;
  first_value: Uint8Array | null;
  first_partial: Uint8Array;
  second_root: Uint8Array;
  second_value: Uint8Array | null;
  second_partial: Uint8Array;
  unprovable: string | null;
  recorded_at_ms: number;
  proof: string | null;
}

interface Row {
  operator: string;
  instance: Uint8Array;
  round: number;
  group_public_key: Uint8Array;
  first_root: Uint8Array;
  first_signature: Uint8Array;
  second_root: Uint8Array;
  second_signature: Uint8Array;
  recorded_at_ms: number;
  proof: string | null;
}

const hex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const invalid = (field: string, reason: string) =>
  new OperatorError({ code: 'INVALID_EVIDENCE', field, reason });

function bytesOf(value: string, length: number, field: string): Uint8Array {
  if (!new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(value)) {
    throw invalid(field, `expected ${length} bytes of 0x hex`);
  }
  return Buffer.from(value.slice(2), 'hex');
}

function check(e: LeaderEquivocation): void {
  if (!/^0x[0-9a-f]{40}$/.test(e.operator)) throw invalid('operator', 'expected a lower-case 0x address');
  if (!(e.groupPublicKey instanceof Uint8Array) || e.groupPublicKey.length !== 48) {
    throw invalid('groupPublicKey', 'expected 48 bytes');
  }
  for (const which of ['first', 'second'] as const) {
    const p = e[which];
    bytesOf(p.instance, 32, `${which}.instance`);
    bytesOf(p.valueRoot, 32, `${which}.valueRoot`);
    bytesOf(p.signature, 65, `${which}.signature`);
    checkUint(Number(p.round), `${which}.round`);
  }
  if (e.first.instance !== e.second.instance || e.first.round !== e.second.round) {
    throw invalid('second', 'not the same instance and round as the first proposal');
  }
  if (e.first.valueRoot === e.second.valueRoot) throw invalid('second', 'the same value root: no conflict');
}

function checkPartial(e: DoubleSignedPartial): void {
  if (!/^0x[0-9a-f]{40}$/.test(e.operator)) throw invalid('operator', 'expected a lower-case 0x address');
  if (!(e.groupPublicKey instanceof Uint8Array) || e.groupPublicKey.length !== 48) {
    throw invalid('groupPublicKey', 'expected 48 bytes');
  }
  bytesOf(e.instance, 32, 'instance');
  const n = e.committee.length;
  if (!Number.isInteger(e.shareIndex) || e.shareIndex < 1 || e.shareIndex > n) {
    throw invalid('shareIndex', `expected 1..${n}`);
  }
  if (e.committee[e.shareIndex - 1] !== e.operator)
    throw invalid('committee', 'the share is not the operator’s');
  if (e.publicShares.length !== 48 * n) throw invalid('publicShares', `expected ${n} × 48 bytes`);
  for (const which of ['first', 'second'] as const) {
    if (e[which].root.length !== 32) throw invalid(`${which}.root`, 'expected 32 bytes');
    if (e[which].partial.length !== 96) throw invalid(`${which}.partial`, 'expected 96 bytes');
  }
  if (Buffer.compare(e.first.root, e.second.root) === 0)
    throw invalid('second', 'the same root: no conflict');
}

/**
 * The consensus library's equivocating-leader evidence (two signed wire PROPOSALs) in the
 * contract's form, or undefined when the chain would refuse it: another evidence kind, messages
 * that are not EIP-712-signed proposals of one (instance, round), or the same value root twice.
 */
export function leaderEquivocationOf(
  evidence: Evidence,
  context: {
    readonly operator: OperatorAddress;
    readonly groupPublicKey: Uint8Array;
    readonly rootOf: (value: Uint8Array) => Uint8Array;
  },
): LeaderEquivocation | undefined {
  if (evidence.kind !== 'equivocating-leader') return undefined;
  const first = leaderProposalOf(evidence.messages[0], context.rootOf);
  const second = leaderProposalOf(evidence.messages[1], context.rootOf);
  if (first === undefined || second === undefined) return undefined;
  if (first.instance !== second.instance || first.round !== second.round) return undefined;
  if (first.valueRoot === second.valueRoot) return undefined;
  return { operator: context.operator, groupPublicKey: context.groupPublicKey, first, second };
}

/** An evidence store in `protection`'s open file (its table is created now). */
export function createSqliteEvidenceStore(
  protection: SlashingProtection,
  options: SqliteEvidenceStoreOptions = {},
): EvidenceStore {
  const now = options.now ?? Date.now;
  protection[hostedFile]().exec('createSqliteEvidenceStore', SCHEMA);
  const proposal = (row: Row, which: 'first' | 'second'): SignedLeaderProposal => ({
    instance: hex(row.instance),
    round: BigInt(row.round),
    valueRoot: hex(which === 'first' ? row.first_root : row.second_root),
    signature: hex(which === 'first' ? row.first_signature : row.second_signature),
  });
  return {
    recordLeaderEquivocation(e) {
      check(e);
      const file = protection[hostedFile]();
      const changes = file.transaction(
        'recordLeaderEquivocation',
        () =>
          file
            .prepare(
              `INSERT INTO leader_equivocations (operator, instance, round, group_public_key, first_root,
               first_signature, second_root, second_signature, recorded_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .run(
              e.operator,
              bytesOf(e.first.instance, 32, 'first.instance'),
              Number(e.first.round),
              e.groupPublicKey,
              bytesOf(e.first.valueRoot, 32, 'first.valueRoot'),
              bytesOf(e.first.signature, 65, 'first.signature'),
              bytesOf(e.second.valueRoot, 32, 'second.valueRoot'),
              bytesOf(e.second.signature, 65, 'second.signature'),
              now(),
            ).changes,
      );
      return Number(changes) === 1;
    },

    leaderEquivocations(query = {}) {
      const file = protection[hostedFile]();
      const where = query.unproven === true ? 'WHERE proof IS NULL' : '';
      const rows = file
        .prepare(`SELECT * FROM leader_equivocations ${where} ORDER BY recorded_at_ms, operator, round`)
        .all() as unknown as Row[];
      return rows.map((row) => ({
        operator: row.operator as OperatorAddress,
        groupPublicKey: row.group_public_key,
        first: proposal(row, 'first'),
        second: proposal(row, 'second'),
        recordedAtMs: row.recorded_at_ms,
        proof: row.proof === null ? undefined : (JSON.parse(row.proof) as EvidenceProof),
      }));
    },

    markProven(key, proof) {
      const file = protection[hostedFile]();
      file.transaction('markEvidenceProven', () =>
        file
          .prepare(
            'UPDATE leader_equivocations SET proof = ? WHERE operator = ? AND instance = ? AND round = ?',
          )
          .run(JSON.stringify(proof), key.operator, bytesOf(key.instance, 32, 'instance'), Number(key.round)),
      );
    },

    recordDoubleSignedPartial(e) {
      checkPartial(e);
      const file = protection[hostedFile]();
      const changes = file.transaction(
        'recordDoubleSignedPartial',
        () =>
          file
            .prepare(
              `INSERT INTO double_signed_partials (group_public_key, instance, share_index, operator,
               committee, public_shares, duty, first_root, first_value, first_partial, second_root,
               second_value, second_partial, unprovable, recorded_at_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            )
            .run(
              e.groupPublicKey,
              bytesOf(e.instance, 32, 'instance'),
              e.shareIndex,
              e.operator,
              JSON.stringify(e.committee),
              e.publicShares,
              e.duty,
              e.first.root,
              e.first.value ?? null,
              e.first.partial,
              e.second.root,
              e.second.value ?? null,
              e.second.partial,
              e.unprovable ?? null,
              now(),
            ).changes,
      );
      return Number(changes) === 1;
    },

    doubleSignedPartials(query = {}) {
      const file = protection[hostedFile]();
      const where = query.unproven === true ? 'WHERE proof IS NULL AND unprovable IS NULL' : '';
      const rows = file
        .prepare(
          `SELECT * FROM double_signed_partials ${where} ORDER BY recorded_at_ms, instance, share_index`,
        )
        .all() as unknown as PartialRow[];
      return rows.map((row) => ({
        operator: row.operator as OperatorAddress,
        groupPublicKey: row.group_public_key,
        instance: hex(row.instance),
        shareIndex: row.share_index,
        committee: JSON.parse(row.committee) as OperatorAddress[],
        publicShares: row.public_shares,
        duty: row.duty as DoubleSignedPartial['duty'],
        first: { root: row.first_root, value: row.first_value ?? undefined, partial: row.first_partial },
        second: { root: row.second_root, value: row.second_value ?? undefined, partial: row.second_partial },
        unprovable: row.unprovable ?? undefined,
        recordedAtMs: row.recorded_at_ms,
        proof: row.proof === null ? undefined : (JSON.parse(row.proof) as EvidenceProof),
      }));
    },

    markPartialProven(key, proof) {
      const file = protection[hostedFile]();
      file.transaction('markPartialProven', () =>
        file
          .prepare(
            `UPDATE double_signed_partials SET proof = ?
             WHERE group_public_key = ? AND instance = ? AND share_index = ?`,
          )
          .run(
            JSON.stringify(proof),
            key.groupPublicKey,
            bytesOf(key.instance, 32, 'instance'),
            key.shareIndex,
          ),
      );
    },
  };
}
