// EIP-3076 slashing protection on Node's built-in `node:sqlite` (no native build): per validator
// public key, the blocks signed (by slot) and the attestations signed (by source and target epoch),
// with their signing roots, and low watermarks raised by imports. A check-and-record commits
// (WAL journal, `PRAGMA synchronous=FULL`) before it resolves `allowed: true`, so a crash right after
// cannot forget it. Rules: EIP-3076's, with the interchange tests' "minimal" strategy for imported
// data (an imported block or attestation is a watermark, never re-signed) and the complete rules
// (double proposal, double vote, surround votes) above the watermarks.
// One process per database file is the runtime's job, not this class's.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { OperatorError } from './errors.ts';
import { type ParsedRecord, parseInterchange } from './internal/interchange.ts';

/** Why a signing was refused. */
export type SlashingRefusalReason =
  /** At or below what an import says was already signed (slot, or source / target epoch). */
  | 'BELOW_WATERMARK'
  /** Below the lowest slot or epoch this database has recorded for the validator (EIP-3076 rules 2, 5, 6). */
  | 'BELOW_LOWEST_SIGNED'
  /** Another block (another signing root, or an unknown one) at the same slot. */
  | 'DOUBLE_PROPOSAL'
  /** Another attestation (another signing root, or an unknown one) with the same target epoch. */
  | 'DOUBLE_VOTE'
  /** The attestation would surround one already signed. */
  | 'SURROUNDING_VOTE'
  /** The attestation would be surrounded by one already signed. */
  | 'SURROUNDED_VOTE'
  /** The attestation's source epoch is after its target epoch (EIP-3076 refuses it). */
  | 'SOURCE_AFTER_TARGET';

/** The answer of a check-and-record: allowed (and durably recorded) or refused with a reason. */
export type SlashingCheckResult =
  | {
      readonly allowed: true;
      /** The same signing root was already recorded at this slot / target (a re-sign). */
      readonly repeat: boolean;
    }
  | { readonly allowed: false; readonly reason: SlashingRefusalReason };

export interface BlockSigningRequest {
  /** The validator's 48-byte BLS public key. */
  readonly pubkey: Uint8Array;
  readonly slot: number;
  /** The 32-byte signing root of the block. */
  readonly signingRoot: Uint8Array;
}

export interface AttestationSigningRequest {
  /** The validator's 48-byte BLS public key. */
  readonly pubkey: Uint8Array;
  readonly sourceEpoch: number;
  readonly targetEpoch: number;
  /** The 32-byte signing root of the attestation data. */
  readonly signingRoot: Uint8Array;
}

export interface SlashingProtectionParameters {
  /** The database file (created when missing); `:memory:` for a database that is not durable. */
  readonly path: string;
  /** The chain's 32-byte genesis_validators_root; a file made for another chain is refused. */
  readonly genesisValidatorsRoot: Uint8Array;
}

/** The EIP-3076 interchange format, version 5. */
export interface SlashingInterchange {
  readonly metadata: {
    readonly interchange_format_version: '5';
    readonly genesis_validators_root: `0x${string}`;
  };
  readonly data: readonly {
    readonly pubkey: `0x${string}`;
    readonly signed_blocks: readonly { readonly slot: string; readonly signing_root?: `0x${string}` }[];
    readonly signed_attestations: readonly {
      readonly source_epoch: string;
      readonly target_epoch: string;
      readonly signing_root?: `0x${string}`;
    }[];
  }[];
}

const SCHEMA = `
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

const toHex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array): boolean {
  return a != null && a.length === b.length && a.every((x, i) => x === b[i]);
}

function checkBytes(v: unknown, bytes: number, field: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== bytes) {
    throw new OperatorError({ code: 'INVALID_SLASHING_INPUT', field, reason: `expected ${bytes} bytes` });
  }
  return v;
}

function checkUint(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new OperatorError({
      code: 'INVALID_SLASHING_INPUT',
      field,
      reason: 'expected a non-negative safe integer',
    });
  }
  return v;
}

function checkAttestation(r: AttestationSigningRequest, at: string): void {
  checkBytes(r.pubkey, 48, `${at}pubkey`);
  checkUint(r.sourceEpoch, `${at}sourceEpoch`);
  checkUint(r.targetEpoch, `${at}targetEpoch`);
  checkBytes(r.signingRoot, 32, `${at}signingRoot`);
}

const max = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * The slashing-protection database. The constructor does no I/O: `open()` opens (or creates) the
 * file, `close()` closes it; `createSlashingProtection` does both steps of creation at once.
 */
export class SlashingProtection {
  readonly path: string;
  readonly genesisValidatorsRoot: Uint8Array;
  #db: DatabaseSync | undefined;
  /** Prepared statements of the open file, by SQL text. */
  readonly #statements = new Map<string, StatementSync>();

  constructor(parameters: SlashingProtectionParameters) {
    if (typeof parameters.path !== 'string' || parameters.path === '') {
      throw new OperatorError({
        code: 'INVALID_SLASHING_INPUT',
        field: 'path',
        reason: 'expected a file path',
      });
    }
    this.path = parameters.path;
    this.genesisValidatorsRoot = Uint8Array.from(
      checkBytes(parameters.genesisValidatorsRoot, 32, 'genesisValidatorsRoot'),
    );
  }

  /** Opens the file (creating the schema), checks its genesis_validators_root. Idempotent. */
  async open(): Promise<void> {
    if (this.#db !== undefined) return;
    let db: DatabaseSync | undefined;
    try {
      db = new DatabaseSync(this.path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
      db.exec(SCHEMA);
    } catch (cause) {
      if (db?.isOpen) db.close();
      throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation: 'open' }, { cause });
    }
    const row = db.prepare("SELECT value FROM meta WHERE key = 'genesis_validators_root'").get() as
      | { value: Uint8Array }
      | undefined;
    if (row === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('genesis_validators_root', ?)").run(
        this.genesisValidatorsRoot,
      );
    } else if (!sameBytes(row.value, this.genesisValidatorsRoot)) {
      db.close();
      throw new OperatorError({
        code: 'GENESIS_VALIDATORS_ROOT_MISMATCH',
        source: 'database',
        expected: toHex(this.genesisValidatorsRoot),
        actual: toHex(row.value),
      });
    }
    this.#db = db;
  }

  /** Closes the file; every recorded signing is already durable. Idempotent. */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#statements.clear();
    db?.close();
  }

  /** Refuses or durably records a block proposal. */
  async checkAndRecordBlock(request: BlockSigningRequest): Promise<SlashingCheckResult> {
    checkBytes(request.pubkey, 48, 'pubkey');
    checkUint(request.slot, 'slot');
    checkBytes(request.signingRoot, 32, 'signingRoot');
    return this.#transaction('checkAndRecordBlock', () => this.#block(request));
  }

  /** Refuses or durably records an attestation. */
  async checkAndRecordAttestation(request: AttestationSigningRequest): Promise<SlashingCheckResult> {
    checkAttestation(request, '');
    return this.#transaction('checkAndRecordAttestation', () => this.#attestation(request));
  }

  /**
   * Checks and records many validators' attestations (of one slot) in one transaction: one fsync for
   * all. The results are in the order of the requests; a request is checked against the ones before it.
   */
  async checkAndRecordAttestations(
    requests: readonly AttestationSigningRequest[],
  ): Promise<SlashingCheckResult[]> {
    for (const [i, r] of requests.entries()) checkAttestation(r, `requests[${i}].`);
    return this.#transaction('checkAndRecordAttestations', () => requests.map((r) => this.#attestation(r)));
  }

  /**
   * Imports an EIP-3076 interchange (version 5; a JSON string or its parsed value) in one
   * transaction. Each validator's highest imported slot, source and target epochs become low
   * watermarks; the records are kept (and exported again). Slashable data inside is accepted: the
   * watermarks protect.
   */
  async importInterchange(json: unknown): Promise<void> {
    const parsed = parseInterchange(json);
    if (!sameBytes(parsed.genesisValidatorsRoot, this.genesisValidatorsRoot)) {
      throw new OperatorError({
        code: 'GENESIS_VALIDATORS_ROOT_MISMATCH',
        source: 'interchange',
        expected: toHex(this.genesisValidatorsRoot),
        actual: toHex(parsed.genesisValidatorsRoot),
      });
    }
    this.#transaction('importInterchange', () => {
      for (const record of parsed.records) this.#import(record);
    });
  }

  /** Exports every validator's records (or those of `pubkeys`) as an EIP-3076 interchange, version 5. */
  async exportInterchange(pubkeys?: readonly Uint8Array[]): Promise<SlashingInterchange> {
    for (const [i, p] of (pubkeys ?? []).entries()) checkBytes(p, 48, `pubkeys[${i}]`);
    const all = this.#prepare('SELECT id, pubkey FROM validators ORDER BY id').all() as {
      id: number;
      pubkey: Uint8Array;
    }[];
    const chosen =
      pubkeys === undefined ? all : all.filter((v) => pubkeys.some((p) => sameBytes(v.pubkey, p)));
    const blocks = this.#prepare(
      'SELECT slot, signing_root FROM blocks WHERE validator_id = ? ORDER BY slot',
    );
    const attestations = this.#prepare(
      'SELECT source_epoch, target_epoch, signing_root FROM attestations WHERE validator_id = ? ORDER BY target_epoch',
    );
    return {
      metadata: {
        interchange_format_version: '5',
        genesis_validators_root: toHex(this.genesisValidatorsRoot),
      },
      data: chosen.map((v) => ({
        pubkey: toHex(v.pubkey),
        signed_blocks: (blocks.all(v.id) as { slot: number; signing_root: Uint8Array | null }[]).map((b) => ({
          slot: String(b.slot),
          ...(b.signing_root === null ? {} : { signing_root: toHex(b.signing_root) }),
        })),
        signed_attestations: (
          attestations.all(v.id) as {
            source_epoch: number;
            target_epoch: number;
            signing_root: Uint8Array | null;
          }[]
        ).map((a) => ({
          source_epoch: String(a.source_epoch),
          target_epoch: String(a.target_epoch),
          ...(a.signing_root === null ? {} : { signing_root: toHex(a.signing_root) }),
        })),
      })),
    };
  }

  #prepare(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#open().prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #open(): DatabaseSync {
    if (this.#db === undefined) throw new OperatorError({ code: 'SLASHING_DB_CLOSED' });
    return this.#db;
  }

  /** Runs `fn` inside BEGIN IMMEDIATE ... COMMIT; the commit is synced before this returns. */
  #transaction<T>(operation: string, fn: () => T): T {
    const db = this.#open();
    try {
      db.exec('BEGIN IMMEDIATE');
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (cause) {
      if (db.isTransaction) db.exec('ROLLBACK');
      if (cause instanceof OperatorError) throw cause;
      throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation }, { cause });
    }
  }

  #validator(pubkey: Uint8Array): ValidatorRow {
    const select = 'SELECT id, low_slot, low_source_epoch, low_target_epoch FROM validators WHERE pubkey = ?';
    const row = this.#prepare(select).get(pubkey) as ValidatorRow | undefined;
    if (row !== undefined) return row;
    this.#prepare('INSERT INTO validators (pubkey) VALUES (?)').run(pubkey);
    return this.#prepare(select).get(pubkey) as unknown as ValidatorRow;
  }

  #block(r: BlockSigningRequest): SlashingCheckResult {
    const v = this.#validator(r.pubkey);
    if (v.low_slot !== null && r.slot <= v.low_slot) return { allowed: false, reason: 'BELOW_WATERMARK' };
    const same = this.#prepare('SELECT signing_root FROM blocks WHERE validator_id = ? AND slot = ?').get(
      v.id,
      r.slot,
    ) as { signing_root: Uint8Array | null } | undefined;
    if (same !== undefined) {
      return sameBytes(same.signing_root, r.signingRoot)
        ? { allowed: true, repeat: true }
        : { allowed: false, reason: 'DOUBLE_PROPOSAL' };
    }
    const low = this.#prepare('SELECT MIN(slot) AS m FROM blocks WHERE validator_id = ?').get(v.id) as {
      m: number | null;
    };
    if (low.m !== null && r.slot < low.m) return { allowed: false, reason: 'BELOW_LOWEST_SIGNED' };
    this.#prepare('INSERT INTO blocks (validator_id, slot, signing_root) VALUES (?, ?, ?)').run(
      v.id,
      r.slot,
      r.signingRoot,
    );
    return { allowed: true, repeat: false };
  }

  #attestation(r: AttestationSigningRequest): SlashingCheckResult {
    if (r.sourceEpoch > r.targetEpoch) return { allowed: false, reason: 'SOURCE_AFTER_TARGET' };
    const v = this.#validator(r.pubkey);
    if (
      (v.low_source_epoch !== null && r.sourceEpoch < v.low_source_epoch) ||
      (v.low_target_epoch !== null && r.targetEpoch <= v.low_target_epoch)
    ) {
      return { allowed: false, reason: 'BELOW_WATERMARK' };
    }
    const same = this.#prepare(
      'SELECT signing_root FROM attestations WHERE validator_id = ? AND target_epoch = ?',
    ).get(v.id, r.targetEpoch) as { signing_root: Uint8Array | null } | undefined;
    if (same !== undefined) {
      return sameBytes(same.signing_root, r.signingRoot)
        ? { allowed: true, repeat: true }
        : { allowed: false, reason: 'DOUBLE_VOTE' };
    }
    const exists = (where: string): boolean =>
      this.#prepare(`SELECT 1 FROM attestations WHERE validator_id = ? AND ${where} LIMIT 1`).get(
        v.id,
        r.sourceEpoch,
        r.targetEpoch,
      ) !== undefined;
    if (exists('source_epoch < ? AND target_epoch > ?')) return { allowed: false, reason: 'SURROUNDED_VOTE' };
    if (exists('source_epoch > ? AND target_epoch < ?'))
      return { allowed: false, reason: 'SURROUNDING_VOTE' };
    const low = this.#prepare(
      'SELECT MIN(source_epoch) AS s, MIN(target_epoch) AS t FROM attestations WHERE validator_id = ?',
    ).get(v.id) as { s: number | null; t: number | null };
    if ((low.s !== null && r.sourceEpoch < low.s) || (low.t !== null && r.targetEpoch < low.t)) {
      return { allowed: false, reason: 'BELOW_LOWEST_SIGNED' };
    }
    this.#prepare(
      'INSERT INTO attestations (validator_id, target_epoch, source_epoch, signing_root) VALUES (?, ?, ?, ?)',
    ).run(v.id, r.targetEpoch, r.sourceEpoch, r.signingRoot);
    return { allowed: true, repeat: false };
  }

  #import(record: ParsedRecord): void {
    const v = this.#validator(record.pubkey);
    // Like Lighthouse: an import raises each watermark to the highest value held so far, local
    // signings included, so nothing at or below what either side signed is signed again.
    const held = this.#prepare(
      `SELECT (SELECT MAX(slot) FROM blocks WHERE validator_id = $id) AS slot,
          (SELECT MAX(source_epoch) FROM attestations WHERE validator_id = $id) AS source,
          (SELECT MAX(target_epoch) FROM attestations WHERE validator_id = $id) AS target`,
    ).get({ id: v.id }) as { slot: number | null; source: number | null; target: number | null };
    let lowSlot = record.blocks.length === 0 ? v.low_slot : max(v.low_slot, held.slot);
    let lowSource =
      record.attestations.length === 0 ? v.low_source_epoch : max(v.low_source_epoch, held.source);
    let lowTarget =
      record.attestations.length === 0 ? v.low_target_epoch : max(v.low_target_epoch, held.target);
    const block = this.#prepare(
      'INSERT OR IGNORE INTO blocks (validator_id, slot, signing_root) VALUES (?, ?, ?)',
    );
    for (const b of record.blocks) {
      block.run(v.id, b.slot, b.signingRoot);
      lowSlot = max(lowSlot, b.slot);
    }
    const attestation = this.#prepare(
      'INSERT OR IGNORE INTO attestations (validator_id, target_epoch, source_epoch, signing_root) VALUES (?, ?, ?, ?)',
    );
    for (const a of record.attestations) {
      attestation.run(v.id, a.targetEpoch, a.sourceEpoch, a.signingRoot);
      lowSource = max(lowSource, a.sourceEpoch);
      lowTarget = max(lowTarget, a.targetEpoch);
    }
    this.#prepare(
      'UPDATE validators SET low_slot = ?, low_source_epoch = ?, low_target_epoch = ? WHERE id = ?',
    ).run(lowSlot, lowSource, lowTarget, v.id);
  }
}

/** Creates a `SlashingProtection` and opens its file (`await`); `close()` it when done. */
export async function createSlashingProtection(
  parameters: SlashingProtectionParameters,
): Promise<SlashingProtection> {
  const protection = new SlashingProtection(parameters);
  await protection.open();
  return protection;
}
