// Parsing of the EIP-3076 slashing-protection interchange format, version 5 (JSON with 0x hex and
// decimal strings). Every failure names the field at fault; nothing here touches the database.
import { OperatorError } from '../errors.ts';

export interface ParsedBlock {
  readonly slot: number;
  readonly signingRoot: Uint8Array | null;
}

export interface ParsedAttestation {
  readonly sourceEpoch: number;
  readonly targetEpoch: number;
  readonly signingRoot: Uint8Array | null;
}

export interface ParsedRecord {
  readonly pubkey: Uint8Array;
  readonly blocks: readonly ParsedBlock[];
  readonly attestations: readonly ParsedAttestation[];
}

export interface ParsedInterchange {
  readonly genesisValidatorsRoot: Uint8Array;
  readonly records: readonly ParsedRecord[];
}

function fail(field: string, reason: string): never {
  throw new OperatorError({ code: 'INVALID_INTERCHANGE', field, reason });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseHex(v: unknown, bytes: number, field: string): Uint8Array {
  if (typeof v !== 'string' || !/^0x[0-9a-fA-F]*$/.test(v)) fail(field, 'expected a 0x-prefixed hex string');
  if (v.length !== 2 + 2 * bytes) fail(field, `expected ${bytes} bytes, got ${(v.length - 2) / 2}`);
  return Uint8Array.from(Buffer.from(v.slice(2), 'hex'));
}

function parseUint(v: unknown, field: string): number {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]*)$/.test(v)) fail(field, 'expected a decimal string');
  const n = Number(v);
  if (!Number.isSafeInteger(n)) fail(field, 'larger than this database supports (2^53 - 1)');
  return n;
}

function array(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) fail(field, 'expected an array');
  return v;
}

/** Parses an interchange given as a JSON string or an already parsed value. */
export function parseInterchange(json: unknown): ParsedInterchange {
  let doc: unknown = json;
  if (typeof json === 'string') {
    try {
      doc = JSON.parse(json);
    } catch {
      fail('(document)', 'not valid JSON');
    }
  }
  if (!isObject(doc)) fail('(document)', 'expected an object');
  const metadata = doc.metadata;
  if (!isObject(metadata)) fail('metadata', 'expected an object');
  if (metadata.interchange_format_version !== '5') {
    fail('metadata.interchange_format_version', 'only version "5" is supported');
  }
  const genesisValidatorsRoot = parseHex(
    metadata.genesis_validators_root,
    32,
    'metadata.genesis_validators_root',
  );
  const records = array(doc.data, 'data').map((entry, i): ParsedRecord => {
    const at = `data[${i}]`;
    if (!isObject(entry)) fail(at, 'expected an object');
    const pubkey = parseHex(entry.pubkey, 48, `${at}.pubkey`);
    const blocks = array(entry.signed_blocks ?? [], `${at}.signed_blocks`).map((b, j): ParsedBlock => {
      const bf = `${at}.signed_blocks[${j}]`;
      if (!isObject(b)) fail(bf, 'expected an object');
      return {
        slot: parseUint(b.slot, `${bf}.slot`),
        signingRoot: b.signing_root === undefined ? null : parseHex(b.signing_root, 32, `${bf}.signing_root`),
      };
    });
    const attestations = array(entry.signed_attestations ?? [], `${at}.signed_attestations`).map(
      (a, j): ParsedAttestation => {
        const af = `${at}.signed_attestations[${j}]`;
        if (!isObject(a)) fail(af, 'expected an object');
        return {
          sourceEpoch: parseUint(a.source_epoch, `${af}.source_epoch`),
          targetEpoch: parseUint(a.target_epoch, `${af}.target_epoch`),
          signingRoot:
            a.signing_root === undefined ? null : parseHex(a.signing_root, 32, `${af}.signing_root`),
        };
      },
    );
    return { pubkey, blocks, attestations };
  });
  return { genesisValidatorsRoot, records };
}
