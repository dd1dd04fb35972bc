// The ceremony file: what every operator of a DKG ceremony agrees on before it starts. JSON,
// version 1, checked field by field so that an error names the file and the field:
//
//   { "version": 1,
//     "operators": [{ "address", "p2pPublicKey", "multiaddrs" }, ...],   committee order = share index
//     "threshold": 3, "validators": 10,
//     "withdrawalCredentials": "0x01000000000000000000000000<20-byte address>",
//     "forkVersion": "0x10000910", "networkName": "hoodi" (optional for known fork versions),
//     "amountGwei": 32000000000 (optional) }
//
// The operators list is the cluster file's (the same checks: addresses derived from the p2p keys,
// no operator twice). `ceremonyFileDigest` hashes what the ceremony depends on (not the multiaddrs,
// which each operator may write as it reaches the others), so members holding different files find
// out in the first message instead of producing different keys. `ceremonyRole` and
// `ceremonyDkgConfig` are what the file gives one operator's run (./ceremony.ts).
import { readFile } from 'node:fs/promises';
import type { CeremonyConfig } from '@diva-dvt/dkg';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { parseClusterFile } from '../committee/cluster-file.ts';
import type { OperatorAddress } from '../committee/types.ts';
import { isOperatorError, OperatorError } from '../errors.ts';
import { identityFromSecretKey, isIdentitySecretKey } from '../keys/identity.ts';
import type { PeerInfo } from '../p2p/types.ts';

export const CEREMONY_FILE_VERSION = 1;
/** 32 ETH, the deposit CLIs' amount. */
export const DEFAULT_DEPOSIT_AMOUNT_GWEI = 32_000_000_000;

/** The deposit CLIs' network names for the fork versions they know. */
const NETWORK_NAMES: Readonly<Record<string, string>> = {
  '00000000': 'mainnet',
  '00001020': 'goerli',
  '90000069': 'sepolia',
  '01017000': 'holesky',
  '10000910': 'hoodi',
};

export interface CeremonyFile {
  readonly version: 1;
  /** The committee in share-index order: `operators[i]` receives share index i + 1. */
  readonly operators: readonly PeerInfo[];
  readonly threshold: number;
  /** How many validators the ceremony creates (one DKG batch). */
  readonly validatorCount: number;
  /** 32 bytes: 0x00 (BLS), 0x01 or 0x02 (execution address) credentials. */
  readonly withdrawalCredentials: Uint8Array;
  /** GENESIS_FORK_VERSION of the network the deposits are for (4 bytes). */
  readonly forkVersion: Uint8Array;
  readonly networkName: string;
  readonly amountGwei: number;
}

const REQUIRED = ['version', 'operators', 'threshold', 'validators', 'withdrawalCredentials', 'forkVersion'];
const OPTIONAL = ['networkName', 'amountGwei'];

function hexBytes(
  fail: (field: string, reason: string) => never,
  value: unknown,
  field: string,
  length: number,
) {
  if (typeof value !== 'string' || !new RegExp(`^0x[0-9a-fA-F]{${2 * length}}$`).test(value)) {
    fail(field, `expected ${length} bytes as 0x-prefixed hex`);
  }
  return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
}

/**
 * The JSON object at the top of a ceremony (or reshare) file with exactly the keys allowed, and the
 * `fail` that throws `INVALID_INPUT_FILE` naming the file and a field.
 */
export function parseTopObject(
  text: string,
  file: string,
  required: readonly string[],
  optional: readonly string[],
): { o: Record<string, unknown>; fail: (field: string, reason: string) => never } {
  const fail = (field: string, reason: string): never => {
    throw new OperatorError({ code: 'INVALID_INPUT_FILE', file, field, reason });
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail('(root)', 'not valid JSON');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('(root)', 'expected an object');
  const o = json as Record<string, unknown>;
  for (const key of required) if (!(key in o)) fail(key, 'missing');
  for (const key of Object.keys(o))
    if (!required.includes(key) && !optional.includes(key)) fail(key, 'unknown field');
  return { o, fail };
}

/**
 * Parses and checks a ceremony file's text. `INVALID_INPUT_FILE` names `file` and the field (an
 * operator listed twice: `operators[i].address`).
 */
export function parseCeremonyFile(text: string, file = '<ceremony file>'): CeremonyFile {
  const { o, fail } = parseTopObject(text, file, REQUIRED, OPTIONAL);
  if (o.version !== CEREMONY_FILE_VERSION) fail('version', `expected ${CEREMONY_FILE_VERSION}`);
  let operators: readonly PeerInfo[];
  try {
    operators = parseClusterFile(JSON.stringify({ version: 1, operators: o.operators, validators: [] }), {
      file,
    }).operators;
  } catch (error) {
    // The cluster file's checks, reported as this file's (same field names).
    if (isOperatorError(error, 'INVALID_CLUSTER_FILE')) fail(error.details.field, error.details.reason);
    throw error;
  }
  const n = operators.length;
  if (n < 1) fail('operators', 'expected at least one operator');
  const threshold = o.threshold;
  if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 1 || threshold > n) {
    fail('threshold', `expected an integer in 1..${n} (the number of operators)`);
  }
  const validators = o.validators;
  if (typeof validators !== 'number' || !Number.isInteger(validators) || validators < 1 || validators > 128) {
    fail('validators', 'expected an integer in 1..128 (validators per ceremony)');
  }
  const withdrawalCredentials = hexBytes(fail, o.withdrawalCredentials, 'withdrawalCredentials', 32);
  const prefix = withdrawalCredentials[0]!;
  if (prefix > 2) fail('withdrawalCredentials', 'expected the 0x00, 0x01 or 0x02 prefix');
  if (prefix !== 0 && withdrawalCredentials.subarray(1, 12).some((b) => b !== 0)) {
    fail('withdrawalCredentials', 'bytes 1..11 of 0x01 / 0x02 credentials must be zero');
  }
  const forkVersion = hexBytes(fail, o.forkVersion, 'forkVersion', 4);
  const known = NETWORK_NAMES[Buffer.from(forkVersion).toString('hex')];
  const networkName = o.networkName ?? known;
  if (typeof networkName !== 'string' || !/^[a-z0-9-]{1,32}$/.test(networkName)) {
    fail(
      'networkName',
      known === undefined
        ? 'required for an unknown forkVersion (lower-case name)'
        : 'expected a lower-case name',
    );
  }
  const amountGwei = o.amountGwei ?? DEFAULT_DEPOSIT_AMOUNT_GWEI;
  if (typeof amountGwei !== 'number' || !Number.isSafeInteger(amountGwei) || amountGwei < 1_000_000_000) {
    fail('amountGwei', 'expected an integer of at least 1000000000 (1 ETH)');
  }
  return {
    version: 1,
    operators,
    threshold: threshold as number,
    validatorCount: validators as number,
    withdrawalCredentials,
    forkVersion,
    networkName: networkName as string,
    amountGwei: amountGwei as number,
  };
}

/** The hash of everything the keys and deposits depend on (operators' addresses and keys, parameters). */
export function ceremonyFileDigest(ceremony: CeremonyFile): Uint8Array {
  const canonical = JSON.stringify({
    version: ceremony.version,
    operators: ceremony.operators.map((o) => [o.address, Buffer.from(o.publicKey).toString('hex')]),
    threshold: ceremony.threshold,
    validators: ceremony.validatorCount,
    withdrawalCredentials: Buffer.from(ceremony.withdrawalCredentials).toString('hex'),
    forkVersion: Buffer.from(ceremony.forkVersion).toString('hex'),
    networkName: ceremony.networkName,
    amountGwei: ceremony.amountGwei,
  });
  return sha256(new TextEncoder().encode(`diva-dkg/ceremony-file/v1${canonical}`));
}

/** Reads and checks a ceremony file (`FILE_ACCESS_FAILED` when it cannot be read). */
export async function readCeremonyFile(path: string): Promise<CeremonyFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause });
  }
  return parseCeremonyFile(text, path);
}

/**
 * This operator's address and 0-based position in the ceremony file. `INVALID_OPTION` when the
 * identity key is not a key, is not the network's, or is not in the file.
 */
export function ceremonyRole(
  ceremony: CeremonyFile,
  identityKey: Uint8Array,
  networkAddress: OperatorAddress,
): { self: OperatorAddress; position: number } {
  const invalid = (option: string, reason: string) =>
    new OperatorError({ code: 'INVALID_OPTION', option, reason });
  if (!isIdentitySecretKey(identityKey)) throw invalid('identityKey', 'not a secp256k1 secret key');
  const self = identityFromSecretKey(identityKey).address;
  if (self !== networkAddress) throw invalid('network', 'runs with another operator key');
  const position = ceremony.operators.findIndex((o) => o.address === self);
  if (position < 0) throw invalid('identityKey', `operator ${self} is not in the ceremony file`);
  return { self, position };
}

/**
 * The @diva-dvt/dkg configuration: every operator deals and receives, with the X25519 keys of its
 * hello (in the file's order). The ceremony id hashes the file digest and every key, so each
 * attempt is a new ceremony.
 */
export function ceremonyDkgConfig(
  ceremony: CeremonyFile,
  digest: Uint8Array,
  encryptionKeys: readonly Uint8Array[],
): CeremonyConfig {
  return {
    ceremonyId: sha256(concatBytes(utf8ToBytes('diva-dkg/ceremony-id/v1'), digest, ...encryptionKeys)),
    threshold: ceremony.threshold,
    validatorCount: ceremony.validatorCount,
    recipients: ceremony.operators.map((o, i) => ({
      address: Uint8Array.from(Buffer.from(o.address.slice(2), 'hex')),
      encryptionKey: encryptionKeys[i]!,
    })),
  };
}
