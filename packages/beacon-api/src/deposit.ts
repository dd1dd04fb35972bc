// Deposit message and deposit data roots (phase0 DepositMessage / DepositData) and the
// `deposit_data-*.json` file the official deposit CLIs (ethereum/staking-deposit-cli,
// ethstaker-deposit-cli) write: a JSON array of entries with pubkey, withdrawal_credentials,
// amount (gwei, a JSON number), signature, deposit_message_root, deposit_data_root,
// fork_version, network_name and deposit_cli_version, hex without 0x, written with Python's
// json.dump separators. Reading checks every field and recomputes both roots; the BLS signature
// is checked when the caller passes a verifier (this package has no BLS code).
import { BeaconApiError } from './errors.ts';
import { depositSigningRoot } from './signing.ts';
import { type DepositData, type DepositMessage, ssz } from './types.ts';

export function depositMessageRoot(message: DepositMessage): Uint8Array {
  return ssz.phase0.DepositMessage.hashTreeRoot(message);
}

export function depositDataRoot(data: DepositData): Uint8Array {
  return ssz.phase0.DepositData.hashTreeRoot(data);
}

/** One entry of deposit_data-*.json, exactly as the deposit CLI writes it. */
export interface DepositDataJson {
  pubkey: string;
  withdrawal_credentials: string;
  amount: number;
  signature: string;
  deposit_message_root: string;
  deposit_data_root: string;
  fork_version: string;
  network_name: string;
  deposit_cli_version: string;
}

/** A deposit with its roots, decoded. */
export interface DepositDataEntry {
  readonly data: DepositData;
  readonly depositMessageRoot: Uint8Array;
  readonly depositDataRoot: Uint8Array;
  readonly forkVersion: Uint8Array;
  readonly networkName: string;
  readonly depositCliVersion: string;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** Builds the entry for a signed deposit; the roots are computed here. */
export function createDepositDataJson(params: {
  pubkey: Uint8Array;
  withdrawalCredentials: Uint8Array;
  amountGwei: number;
  signature: Uint8Array;
  forkVersion: Uint8Array;
  networkName: string;
  depositCliVersion: string;
}): DepositDataJson {
  const data: DepositData = {
    pubkey: params.pubkey,
    withdrawalCredentials: params.withdrawalCredentials,
    amount: params.amountGwei,
    signature: params.signature,
  };
  validateShape(data, params.forkVersion, 0);
  return {
    pubkey: hex(params.pubkey),
    withdrawal_credentials: hex(params.withdrawalCredentials),
    amount: params.amountGwei,
    signature: hex(params.signature),
    deposit_message_root: hex(depositMessageRoot(data)),
    deposit_data_root: hex(depositDataRoot(data)),
    fork_version: hex(params.forkVersion),
    network_name: params.networkName,
    deposit_cli_version: params.depositCliVersion,
  };
}

const KEYS = [
  'pubkey',
  'withdrawal_credentials',
  'amount',
  'signature',
  'deposit_message_root',
  'deposit_data_root',
  'fork_version',
  'network_name',
  'deposit_cli_version',
] as const;

/**
 * Serializes entries the way the deposit CLIs do: Python `json.dump` with its default separators
 * on one line (staking-deposit-cli), or with `indent` spaces per level (ethstaker-deposit-cli
 * writes `indent=4`). No trailing newline.
 */
export function serializeDepositDataFile(
  entries: readonly DepositDataJson[],
  opts: { indent?: number } = {},
): string {
  const indent = opts.indent ?? 0;
  const pair = (e: DepositDataJson, k: (typeof KEYS)[number]) =>
    `${JSON.stringify(k)}: ${JSON.stringify(e[k])}`;
  if (indent === 0) {
    return `[${entries.map((e) => `{${KEYS.map((k) => pair(e, k)).join(', ')}}`).join(', ')}]`;
  }
  if (entries.length === 0) return '[]';
  const i1 = ' '.repeat(indent);
  const i2 = ' '.repeat(indent * 2);
  const objs = entries.map((e) => `${i1}{\n${KEYS.map((k) => `${i2}${pair(e, k)}`).join(',\n')}\n${i1}}`);
  return `[\n${objs.join(',\n')}\n]`;
}

export interface ParseDepositDataOptions {
  /** Expected fork version (GENESIS_FORK_VERSION of the network); entries with another are rejected. */
  readonly forkVersion?: Uint8Array;
  /** BLS verification of the deposit signature over its signing root; skipped when absent. */
  readonly verifySignature?: (pubkey: Uint8Array, signingRoot: Uint8Array, signature: Uint8Array) => boolean;
}

/**
 * Reads a deposit_data-*.json file: checks every field's presence and format, recomputes
 * deposit_message_root and deposit_data_root, and (with `verifySignature`) the signature.
 * Throws INVALID_DEPOSIT_DATA naming the entry and the field.
 */
export function parseDepositDataFile(text: string, opts: ParseDepositDataOptions = {}): DepositDataEntry[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new BeaconApiError(
      { code: 'INVALID_DEPOSIT_DATA', index: -1, field: '(file)', reason: 'not JSON' },
      { cause },
    );
  }
  if (!Array.isArray(json)) {
    throw new BeaconApiError({
      code: 'INVALID_DEPOSIT_DATA',
      index: -1,
      field: '(file)',
      reason: 'expected a JSON array',
    });
  }
  return json.map((e, i) => parseEntry(e, i, opts));
}

function fail(index: number, field: string, reason: string): never {
  throw new BeaconApiError({ code: 'INVALID_DEPOSIT_DATA', index, field, reason });
}

function bytesField(o: Record<string, unknown>, key: string, length: number, index: number): Uint8Array {
  const v = o[key];
  if (typeof v !== 'string') fail(index, key, 'missing or not a string');
  const s = v.startsWith('0x') ? v.slice(2) : v;
  if (!/^[0-9a-fA-F]*$/.test(s) || s.length !== length * 2)
    fail(index, key, `expected ${length} bytes of hex`);
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

function stringField(o: Record<string, unknown>, key: string, index: number): string {
  const v = o[key];
  if (typeof v !== 'string') fail(index, key, 'missing or not a string');
  return v;
}

function validateShape(data: DepositData, forkVersion: Uint8Array, index: number): void {
  if (data.pubkey.length !== 48) fail(index, 'pubkey', 'expected 48 bytes');
  if (data.withdrawalCredentials.length !== 32) fail(index, 'withdrawal_credentials', 'expected 32 bytes');
  if (data.signature.length !== 96) fail(index, 'signature', 'expected 96 bytes');
  if (forkVersion.length !== 4) fail(index, 'fork_version', 'expected 4 bytes');
  if (!Number.isSafeInteger(data.amount) || data.amount <= 0)
    fail(index, 'amount', 'expected a positive integer (gwei)');
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

function parseEntry(e: unknown, index: number, opts: ParseDepositDataOptions): DepositDataEntry {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) fail(index, '(entry)', 'expected an object');
  const o = e as Record<string, unknown>;
  const pubkey = bytesField(o, 'pubkey', 48, index);
  const withdrawalCredentials = bytesField(o, 'withdrawal_credentials', 32, index);
  const signature = bytesField(o, 'signature', 96, index);
  const messageRoot = bytesField(o, 'deposit_message_root', 32, index);
  const dataRoot = bytesField(o, 'deposit_data_root', 32, index);
  const forkVersion = bytesField(o, 'fork_version', 4, index);
  const networkName = stringField(o, 'network_name', index);
  const depositCliVersion = stringField(o, 'deposit_cli_version', index);
  const amount = o.amount;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    fail(index, 'amount', 'expected a positive integer number of gwei');
  }
  const data: DepositData = { pubkey, withdrawalCredentials, amount, signature };
  if (!equal(depositMessageRoot(data), messageRoot))
    fail(index, 'deposit_message_root', 'does not match the entry');
  if (!equal(depositDataRoot(data), dataRoot)) fail(index, 'deposit_data_root', 'does not match the entry');
  if (opts.forkVersion !== undefined && !equal(opts.forkVersion, forkVersion)) {
    fail(index, 'fork_version', `expected ${hex(opts.forkVersion)}`);
  }
  if (opts.verifySignature !== undefined) {
    const root = depositSigningRoot(forkVersion, { pubkey, withdrawalCredentials, amount });
    let ok = false;
    try {
      ok = opts.verifySignature(pubkey, root, signature);
    } catch {
      ok = false;
    }
    if (!ok) fail(index, 'signature', 'does not verify against the deposit domain of fork_version');
  }
  return {
    data,
    depositMessageRoot: messageRoot,
    depositDataRoot: dataRoot,
    forkVersion,
    networkName,
    depositCliVersion,
  };
}
