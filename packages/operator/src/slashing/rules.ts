// EIP-3076's rules on the slashing database's tables, run inside a transaction of its file: the
// complete rules (double proposal, double vote, surround votes) above each validator's watermarks,
// the lowest-signed rules (EIP-3076 conditions 2, 5 and 6), and the merge of an imported record.
import { OperatorError } from '../errors.ts';
import type { ParsedRecord } from '../internal/interchange.ts';
import type { SqliteFile } from './sqlite-file.ts';
import type { AttestationSigningRequest, BlockSigningRequest, SlashingCheckResult } from './types.ts';

export const SLASHING_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS validators (
  id INTEGER PRIMARY KEY,
  pubkey BLOB NOT NULL UNIQUE,
  low_slot INTEGER,
  low_source_epoch INTEGER,
  low_target_epoch INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS blocks (
  validator_id INTEGER NOT NULL REFERENCES validators(id),
  slot INTEGER NOT NULL,
  signing_root BLOB,
  PRIMARY KEY (validator_id, slot)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attestations (
  validator_id INTEGER NOT NULL REFERENCES validators(id),
  target_epoch INTEGER NOT NULL,
  source_epoch INTEGER NOT NULL,
  signing_root BLOB,
  PRIMARY KEY (validator_id, target_epoch)
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS attestations_by_source ON attestations (validator_id, source_epoch);
`;

interface ValidatorRow {
  id: number;
  low_slot: number | null;
  low_source_epoch: number | null;
  low_target_epoch: number | null;
}

export const toHex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

export function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array): boolean {
  return a != null && a.length === b.length && a.every((x, i) => x === b[i]);
}

export function checkBytes(v: unknown, bytes: number, field: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== bytes) {
    throw new OperatorError({ code: 'INVALID_SLASHING_INPUT', field, reason: `expected ${bytes} bytes` });
  }
  return v;
}

export function checkUint(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new OperatorError({
      code: 'INVALID_SLASHING_INPUT',
      field,
      reason: 'expected a non-negative safe integer',
    });
  }
  return v;
}

export function checkBlock(r: BlockSigningRequest, at: string): void {
  checkBytes(r.pubkey, 48, `${at}pubkey`);
  checkUint(r.slot, `${at}slot`);
  checkBytes(r.signingRoot, 32, `${at}signingRoot`);
}

export function checkAttestation(r: AttestationSigningRequest, at: string): void {
  checkBytes(r.pubkey, 48, `${at}pubkey`);
  checkUint(r.sourceEpoch, `${at}sourceEpoch`);
  checkUint(r.targetEpoch, `${at}targetEpoch`);
  checkBytes(r.signingRoot, 32, `${at}signingRoot`);
}

const max = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

function validator(file: SqliteFile, pubkey: Uint8Array): ValidatorRow;
function validator(file: SqliteFile, pubkey: Uint8Array, create: false): ValidatorRow | undefined;
function validator(file: SqliteFile, pubkey: Uint8Array, create = true): ValidatorRow | undefined {
  const select = 'SELECT id, low_slot, low_source_epoch, low_target_epoch FROM validators WHERE pubkey = ?';
  const row = file.prepare(select).get(pubkey) as ValidatorRow | undefined;
  if (row !== undefined || !create) return row;
  file.prepare('INSERT INTO validators (pubkey) VALUES (?)').run(pubkey);
  return file.prepare(select).get(pubkey) as unknown as ValidatorRow;
}

/**
 * Refuses, or records, a block (inside a transaction). With `record` false it only answers what it
 * would do, writing nothing (a validator it has never seen is allowed).
 */
export function recordBlock(file: SqliteFile, r: BlockSigningRequest, record = true): SlashingCheckResult {
  const v = record ? validator(file, r.pubkey) : validator(file, r.pubkey, false);
  if (v === undefined) return { allowed: true, repeat: false };
  if (v.low_slot !== null && r.slot <= v.low_slot) return { allowed: false, reason: 'BELOW_WATERMARK' };
  const same = file
    .prepare('SELECT signing_root FROM blocks WHERE validator_id = ? AND slot = ?')
    .get(v.id, r.slot) as { signing_root: Uint8Array | null } | undefined;
  if (same !== undefined) {
    return sameBytes(same.signing_root, r.signingRoot)
      ? { allowed: true, repeat: true }
      : { allowed: false, reason: 'DOUBLE_PROPOSAL' };
  }
  const low = file.prepare('SELECT MIN(slot) AS m FROM blocks WHERE validator_id = ?').get(v.id) as {
    m: number | null;
  };
  if (low.m !== null && r.slot < low.m) return { allowed: false, reason: 'BELOW_LOWEST_SIGNED' };
  if (!record) return { allowed: true, repeat: false };
  file
    .prepare('INSERT INTO blocks (validator_id, slot, signing_root) VALUES (?, ?, ?)')
    .run(v.id, r.slot, r.signingRoot);
  return { allowed: true, repeat: false };
}

/** Refuses, or records, an attestation (inside a transaction); `record` as in `recordBlock`. */
export function recordAttestation(
  file: SqliteFile,
  r: AttestationSigningRequest,
  record = true,
): SlashingCheckResult {
  if (r.sourceEpoch > r.targetEpoch) return { allowed: false, reason: 'SOURCE_AFTER_TARGET' };
  const v = record ? validator(file, r.pubkey) : validator(file, r.pubkey, false);
  if (v === undefined) return { allowed: true, repeat: false };
  if (
    (v.low_source_epoch !== null && r.sourceEpoch < v.low_source_epoch) ||
    (v.low_target_epoch !== null && r.targetEpoch <= v.low_target_epoch)
  ) {
    return { allowed: false, reason: 'BELOW_WATERMARK' };
  }
  const same = file
    .prepare('SELECT signing_root FROM attestations WHERE validator_id = ? AND target_epoch = ?')
    .get(v.id, r.targetEpoch) as { signing_root: Uint8Array | null } | undefined;
  if (same !== undefined) {
    return sameBytes(same.signing_root, r.signingRoot)
      ? { allowed: true, repeat: true }
      : { allowed: false, reason: 'DOUBLE_VOTE' };
  }
  const exists = (where: string): boolean =>
    file
      .prepare(`SELECT 1 FROM attestations WHERE validator_id = ? AND ${where} LIMIT 1`)
      .get(v.id, r.sourceEpoch, r.targetEpoch) !== undefined;
  if (exists('source_epoch < ? AND target_epoch > ?')) return { allowed: false, reason: 'SURROUNDED_VOTE' };
  if (exists('source_epoch > ? AND target_epoch < ?')) return { allowed: false, reason: 'SURROUNDING_VOTE' };
  const low = file
    .prepare('SELECT MIN(source_epoch) AS s, MIN(target_epoch) AS t FROM attestations WHERE validator_id = ?')
    .get(v.id) as { s: number | null; t: number | null };
  if ((low.s !== null && r.sourceEpoch < low.s) || (low.t !== null && r.targetEpoch < low.t)) {
    return { allowed: false, reason: 'BELOW_LOWEST_SIGNED' };
  }
  if (!record) return { allowed: true, repeat: false };
  file
    .prepare(
      'INSERT INTO attestations (validator_id, target_epoch, source_epoch, signing_root) VALUES (?, ?, ?, ?)',
    )
    .run(v.id, r.targetEpoch, r.sourceEpoch, r.signingRoot);
  return { allowed: true, repeat: false };
}

// Merging an imported record with one already held at the same slot / target epoch (EIP-3076's
// minimal strategy keeps the maximum source and target epochs). An attestation keeps the higher
// source epoch: what a later attestation must not surround is the attestation with the higher
// source (a lower-source one at the same target is surrounded by fewer). With equal sources, or at
// a block's slot, the signing root stays only when both sides agree; two different roots mean two
// messages were signed there, and an unknown (NULL) root lets nothing be re-signed in its place.
const MERGE_BLOCK = `INSERT INTO blocks (validator_id, slot, signing_root) VALUES (?, ?, ?)
  ON CONFLICT (validator_id, slot) DO UPDATE SET
    signing_root = CASE WHEN signing_root = excluded.signing_root THEN signing_root ELSE NULL END`;
const MERGE_ATTESTATION = `INSERT INTO attestations (validator_id, target_epoch, source_epoch, signing_root)
  VALUES (?, ?, ?, ?)
  ON CONFLICT (validator_id, target_epoch) DO UPDATE SET
    signing_root = CASE
      WHEN excluded.source_epoch > source_epoch THEN excluded.signing_root
      WHEN excluded.source_epoch < source_epoch THEN signing_root
      WHEN signing_root = excluded.signing_root THEN signing_root
      ELSE NULL END,
    source_epoch = MAX(source_epoch, excluded.source_epoch)`;

/** Merges one validator's imported record and raises its watermarks (inside a transaction). */
export function importRecord(file: SqliteFile, record: ParsedRecord): void {
  const v = validator(file, record.pubkey);
  // Like Lighthouse: an import raises each watermark to the highest value held so far, local
  // signings included, so nothing at or below what either side signed is signed again.
  const held = file
    .prepare(
      `SELECT (SELECT MAX(slot) FROM blocks WHERE validator_id = $id) AS slot,
          (SELECT MAX(source_epoch) FROM attestations WHERE validator_id = $id) AS source,
          (SELECT MAX(target_epoch) FROM attestations WHERE validator_id = $id) AS target`,
    )
    .get({ id: v.id }) as { slot: number | null; source: number | null; target: number | null };
  let lowSlot = record.blocks.length === 0 ? v.low_slot : max(v.low_slot, held.slot);
  let lowSource =
    record.attestations.length === 0 ? v.low_source_epoch : max(v.low_source_epoch, held.source);
  let lowTarget =
    record.attestations.length === 0 ? v.low_target_epoch : max(v.low_target_epoch, held.target);
  const block = file.prepare(MERGE_BLOCK);
  for (const b of record.blocks) {
    block.run(v.id, b.slot, b.signingRoot);
    lowSlot = max(lowSlot, b.slot);
  }
  const attestation = file.prepare(MERGE_ATTESTATION);
  for (const a of record.attestations) {
    attestation.run(v.id, a.targetEpoch, a.sourceEpoch, a.signingRoot);
    lowSource = max(lowSource, a.sourceEpoch);
    lowTarget = max(lowTarget, a.targetEpoch);
  }
  file
    .prepare('UPDATE validators SET low_slot = ?, low_source_epoch = ?, low_target_epoch = ? WHERE id = ?')
    .run(lowSlot, lowSource, lowTarget, v.id);
}
