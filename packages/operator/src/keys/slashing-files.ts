// Slashing-protection migration with files: open the node's database without a beacon node (its
// genesis_validators_root is stored in it), import an EIP-3076 interchange file into it, export it
// (or chosen validators) to one. Errors name the file and the interchange field; an export is
// written atomically and never over an existing file.
import { readFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { isOperatorError, OperatorError } from '../errors.ts';
import {
  createSlashingProtection,
  type SlashingInterchange,
  type SlashingProtection,
} from '../slashing-protection.ts';
import { pathExists, writeFileAtomic } from './files.ts';

const hex = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString('hex')}`;

/**
 * The genesis_validators_root stored in a slashing-protection database, or undefined when the file
 * does not exist (`SLASHING_DB_FAILED` when it exists but is not such a database).
 */
export async function readSlashingProtectionRoot(path: string): Promise<Uint8Array | undefined> {
  if (!(await pathExists(path))) return undefined;
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { readOnly: true });
    const row = db.prepare("SELECT value FROM meta WHERE key = 'genesis_validators_root'").get() as
      | { value: Uint8Array }
      | undefined;
    if (row === undefined || !(row.value instanceof Uint8Array) || row.value.length !== 32) {
      throw new OperatorError({
        code: 'SLASHING_DB_FAILED',
        operation: `read ${path}: no genesis_validators_root in its meta table`,
      });
    }
    return Uint8Array.from(row.value);
  } catch (cause) {
    if (isOperatorError(cause, 'SLASHING_DB_FAILED')) throw cause;
    throw new OperatorError({ code: 'SLASHING_DB_FAILED', operation: `read ${path}` }, { cause });
  } finally {
    db?.close();
  }
}

export interface OpenSlashingProtectionFileParameters {
  readonly path: string;
  /**
   * The chain's root. An existing database must have this one (`GENESIS_VALIDATORS_ROOT_MISMATCH`);
   * a new one needs it (`INVALID_OPTION` otherwise). Omitted: the existing database's own.
   */
  readonly genesisValidatorsRoot?: Uint8Array;
}

/** Opens (or, with a root, creates) a slashing-protection database file; `close()` it when done. */
export async function openSlashingProtectionFile(
  parameters: OpenSlashingProtectionFileParameters,
): Promise<SlashingProtection> {
  const stored = await readSlashingProtectionRoot(parameters.path);
  const given = parameters.genesisValidatorsRoot;
  const root = stored ?? given;
  if (root === undefined) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'genesisValidatorsRoot',
      reason: `${parameters.path} does not exist yet: the chain's genesis_validators_root is needed to create it`,
    });
  }
  if (stored !== undefined && given !== undefined && Buffer.compare(stored, given) !== 0) {
    throw new OperatorError({
      code: 'GENESIS_VALIDATORS_ROOT_MISMATCH',
      source: 'database',
      expected: hex(given),
      actual: hex(stored),
    });
  }
  return createSlashingProtection({ path: parameters.path, genesisValidatorsRoot: root });
}

export interface InterchangeSummary {
  readonly validators: number;
  readonly blocks: number;
  readonly attestations: number;
}

function summarise(interchange: {
  data: readonly { signed_blocks?: readonly unknown[]; signed_attestations?: readonly unknown[] }[];
}): InterchangeSummary {
  let blocks = 0;
  let attestations = 0;
  for (const d of interchange.data) {
    blocks += d.signed_blocks?.length ?? 0;
    attestations += d.signed_attestations?.length ?? 0;
  }
  return { validators: interchange.data.length, blocks, attestations };
}

/**
 * Imports an EIP-3076 interchange file (version 5) in one transaction. `INVALID_INPUT_FILE` names
 * the file and field of a malformed interchange or one for another chain
 * (`metadata.genesis_validators_root`); nothing is imported then.
 */
export async function importInterchangeFile(
  protection: SlashingProtection,
  file: string,
): Promise<InterchangeSummary> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: file, operation: 'read' }, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new OperatorError({
      code: 'INVALID_INPUT_FILE',
      file,
      field: '(document)',
      reason: 'not valid JSON',
    });
  }
  try {
    await protection.importInterchange(json);
  } catch (error) {
    if (isOperatorError(error, 'INVALID_INTERCHANGE')) {
      throw new OperatorError({
        code: 'INVALID_INPUT_FILE',
        file,
        field: error.details.field,
        reason: error.details.reason,
      });
    }
    if (isOperatorError(error, 'GENESIS_VALIDATORS_ROOT_MISMATCH')) {
      throw new OperatorError({
        code: 'INVALID_INPUT_FILE',
        file,
        field: 'metadata.genesis_validators_root',
        reason: `is ${error.details.actual}, another chain than the database's ${error.details.expected}`,
      });
    }
    throw error;
  }
  return summarise(json as SlashingInterchange);
}

/**
 * Writes the EIP-3076 export of the whole database, or of `pubkeys` (each must be in it:
 * `UNKNOWN_PUBKEY`), to `file` atomically; `FILE_EXISTS` when `file` exists.
 */
export async function exportInterchangeFile(
  protection: SlashingProtection,
  file: string,
  pubkeys?: readonly Uint8Array[],
): Promise<{ readonly interchange: SlashingInterchange; readonly summary: InterchangeSummary }> {
  if (await pathExists(file)) throw new OperatorError({ code: 'FILE_EXISTS', path: file });
  const interchange = await protection.exportInterchange(pubkeys);
  for (const pubkey of pubkeys ?? []) {
    if (!interchange.data.some((d) => d.pubkey === hex(pubkey))) {
      throw new OperatorError({ code: 'UNKNOWN_PUBKEY', pubkey: hex(pubkey), where: protection.path });
    }
  }
  await writeFileAtomic(file, `${JSON.stringify(interchange, null, 2)}\n`);
  return { interchange, summary: summarise(interchange) };
}
