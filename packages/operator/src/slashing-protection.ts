// EIP-3076 slashing protection on Node's built-in `node:sqlite` (no native build): per validator
// public key, the blocks signed (by slot) and the attestations signed (by source and target epoch),
// with their signing roots, and low watermarks raised by imports. A check-and-record commits
// (WAL journal, `PRAGMA synchronous=FULL`) before it resolves `allowed: true`, so a crash right after
// cannot forget it. Rules: EIP-3076's, with the interchange tests' "minimal" strategy for imported
// data (an imported block or attestation is a watermark, never re-signed) and the complete rules
// (double proposal, double vote, surround votes) above the watermarks; see ./slashing/rules.ts.
// The file also hosts the sign guards' and the proposal store's tables (./sign-guard.ts,
// ./proposal-store.ts), which reach it through `hostedFile`.
// One process per database file is the runtime's job, not this class's.
import { OperatorError } from './errors.ts';
import { parseInterchange } from './internal/interchange.ts';
import {
  checkAttestation,
  checkBlock,
  checkBytes,
  importRecord,
  recordAttestation,
  recordBlock,
  SLASHING_SCHEMA,
  sameBytes,
  toHex,
} from './slashing/rules.ts';
import { SqliteFile } from './slashing/sqlite-file.ts';
import type {
  AttestationSigningRequest,
  BlockSigningRequest,
  SlashingCheckResult,
  SlashingInterchange,
  SlashingProtectionParameters,
} from './slashing/types.ts';

export type {
  AttestationSigningRequest,
  BlockSigningRequest,
  SlashingCheckResult,
  SlashingInterchange,
  SlashingProtectionParameters,
  SlashingRefusalReason,
} from './slashing/types.ts';

/** The open file of a `SlashingProtection`, for the tables it hosts (not public: not in index.ts). */
export const hostedFile = Symbol('diva.slashingProtection.file');

/**
 * The slashing-protection database. The constructor does no I/O: `open()` opens (or creates) the
 * file, `close()` closes it; `createSlashingProtection` does both steps of creation at once.
 */
export class SlashingProtection {
  readonly path: string;
  readonly genesisValidatorsRoot: Uint8Array;
  #file: SqliteFile | undefined;

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
    if (this.#file !== undefined) return;
    const file = new SqliteFile(this.path, SLASHING_SCHEMA);
    const row = file.prepare("SELECT value FROM meta WHERE key = 'genesis_validators_root'").get() as
      | { value: Uint8Array }
      | undefined;
    if (row === undefined) {
      file
        .prepare("INSERT INTO meta (key, value) VALUES ('genesis_validators_root', ?)")
        .run(this.genesisValidatorsRoot);
    } else if (!sameBytes(row.value, this.genesisValidatorsRoot)) {
      file.close();
      throw new OperatorError({
        code: 'GENESIS_VALIDATORS_ROOT_MISMATCH',
        source: 'database',
        expected: toHex(this.genesisValidatorsRoot),
        actual: toHex(row.value),
      });
    }
    this.#file = file;
  }

  /** Answers the sign guards' queued checks, then closes the file; every record is durable. Idempotent. */
  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  /** Refuses or durably records a block proposal. */
  async checkAndRecordBlock(request: BlockSigningRequest): Promise<SlashingCheckResult> {
    checkBlock(request, '');
    const file = this[hostedFile]();
    return file.transaction('checkAndRecordBlock', () => recordBlock(file, request));
  }

  /** Refuses or durably records an attestation. */
  async checkAndRecordAttestation(request: AttestationSigningRequest): Promise<SlashingCheckResult> {
    checkAttestation(request, '');
    const file = this[hostedFile]();
    return file.transaction('checkAndRecordAttestation', () => recordAttestation(file, request));
  }

  /**
   * What `checkAndRecordBlock` would answer now, recording nothing: a refusal to give before any
   * signing starts (e.g. the Web3Signer API's 412). Only the recording call protects: the answer
   * can change before it.
   */
  async dryRunBlock(request: BlockSigningRequest): Promise<SlashingCheckResult> {
    checkBlock(request, '');
    const file = this[hostedFile]();
    return file.transaction('dryRunBlock', () => recordBlock(file, request, false));
  }

  /** What `checkAndRecordAttestation` would answer now, recording nothing (see `dryRunBlock`). */
  async dryRunAttestation(request: AttestationSigningRequest): Promise<SlashingCheckResult> {
    checkAttestation(request, '');
    const file = this[hostedFile]();
    return file.transaction('dryRunAttestation', () => recordAttestation(file, request, false));
  }

  /**
   * Checks and records many validators' attestations (of one slot) in one transaction: one fsync for
   * all. The results are in the order of the requests; a request is checked against the ones before it.
   */
  async checkAndRecordAttestations(
    requests: readonly AttestationSigningRequest[],
  ): Promise<SlashingCheckResult[]> {
    for (const [i, r] of requests.entries()) checkAttestation(r, `requests[${i}].`);
    const file = this[hostedFile]();
    return file.transaction('checkAndRecordAttestations', () =>
      requests.map((r) => recordAttestation(file, r)),
    );
  }

  /**
   * Imports an EIP-3076 interchange (version 5; a JSON string or its parsed value) in one
   * transaction. Each validator's highest imported slot, source and target epochs become low
   * watermarks; the records are kept (and exported again), merged with those held at the same slot
   * or target epoch (the higher source epoch is kept). Slashable data inside is accepted: the
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
    const file = this[hostedFile]();
    file.transaction('importInterchange', () => {
      for (const record of parsed.records) importRecord(file, record);
    });
  }

  /** Exports every validator's records (or those of `pubkeys`) as an EIP-3076 interchange, version 5. */
  async exportInterchange(pubkeys?: readonly Uint8Array[]): Promise<SlashingInterchange> {
    for (const [i, p] of (pubkeys ?? []).entries()) checkBytes(p, 48, `pubkeys[${i}]`);
    const file = this[hostedFile]();
    const all = file.prepare('SELECT id, pubkey FROM validators ORDER BY id').all() as {
      id: number;
      pubkey: Uint8Array;
    }[];
    const chosen =
      pubkeys === undefined ? all : all.filter((v) => pubkeys.some((p) => sameBytes(v.pubkey, p)));
    const blocks = file.prepare('SELECT slot, signing_root FROM blocks WHERE validator_id = ? ORDER BY slot');
    const attestations = file.prepare(
      'SELECT source_epoch, target_epoch, signing_root FROM attestations WHERE validator_id = ? ORDER BY target_epoch',
    );
    const rootOf = (r: Uint8Array | null) => (r === null ? {} : { signing_root: toHex(r) });
    return {
      metadata: {
        interchange_format_version: '5',
        genesis_validators_root: toHex(this.genesisValidatorsRoot),
      },
      data: chosen.map((v) => ({
        pubkey: toHex(v.pubkey),
        signed_blocks: (blocks.all(v.id) as { slot: number; signing_root: Uint8Array | null }[]).map((b) => ({
          slot: String(b.slot),
          ...rootOf(b.signing_root),
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
          ...rootOf(a.signing_root),
        })),
      })),
    };
  }

  /** The open file; SLASHING_DB_CLOSED when it is not open. */
  [hostedFile](): SqliteFile {
    if (this.#file === undefined) throw new OperatorError({ code: 'SLASHING_DB_CLOSED' });
    return this.#file;
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
