// Strict JSON decoding of SSZ values for the Web3Signer API, with the path of the first fault.
// @chainsafe/ssz's `fromJson` is lenient (a short hex string fails without a field name, an
// invalid hex digit reads as zero, "12abc" as 12); here a value is accepted only when it decodes
// and encodes back to the same JSON (hex compared case-insensitively, a uint as a decimal string
// or a safe integer), and a failure names the field: `attestation.target.epoch`.
// (@diva-dvt/beacon-api has the same walker internally; when it exports it, this file goes.)
import type { Type } from '@chainsafe/ssz';
import { OperatorError } from '../errors.ts';

/** A 400-class fault of a signing request: `field` is its JSON path. */
export function requestError(field: string, reason: string): OperatorError {
  return new OperatorError({ code: 'INVALID_SIGN_REQUEST', field, reason });
}

const HEX = /^0x[0-9a-fA-F]*$/;
const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 24 ? `"${v.slice(0, 24)}..."` : `"${v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

interface FieldEntry {
  readonly jsonKey: string;
  readonly fieldType: Type<unknown>;
}

function fieldsOf(type: Type<unknown>): readonly FieldEntry[] | undefined {
  const entries = (type as { fieldsEntries?: unknown }).fieldsEntries;
  return Array.isArray(entries) ? (entries as FieldEntry[]) : undefined;
}

function elementTypeOf(type: Type<unknown>): Type<unknown> | undefined {
  const t = (type as { elementType?: unknown }).elementType;
  return typeof t === 'object' && t !== null ? (t as Type<unknown>) : undefined;
}

/** Where `fromJson` failed: the deepest container field or list element that does not decode. */
function locate(type: Type<unknown>, json: unknown, path: string, error: unknown): OperatorError {
  const fields = fieldsOf(type);
  if (fields !== undefined) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      return requestError(path || '(body)', `expected an object, got ${describe(json)}`);
    }
    const o = json as Record<string, unknown>;
    for (const f of fields) {
      const value = o[f.jsonKey];
      const at = join(path, f.jsonKey);
      if (value === undefined) return requestError(at, 'missing');
      try {
        f.fieldType.fromJson(value);
      } catch (e) {
        return locate(f.fieldType, value, at, e);
      }
    }
  }
  const element = elementTypeOf(type);
  if (element !== undefined && Array.isArray(json)) {
    for (const [i, v] of json.entries()) {
      try {
        element.fromJson(v);
      } catch (e) {
        return locate(element, v, join(path, i), e);
      }
    }
  }
  const reason = error instanceof Error ? error.message.slice(0, 120) : 'invalid value';
  return requestError(path || '(body)', `${reason} (got ${describe(json)})`);
}

/** The first place where the input differs from the canonical JSON of what it decoded to. */
function firstDifference(canonical: unknown, input: unknown, path: string): string | undefined {
  if (typeof canonical === 'string') {
    if (typeof input === 'number') {
      return DECIMAL.test(canonical) && Number.isSafeInteger(input) && String(input) === canonical
        ? undefined
        : path;
    }
    if (typeof input !== 'string') return path;
    // Case-insensitive: addresses come back EIP-55 checksummed, clients send either case.
    if (HEX.test(canonical)) {
      return canonical.toLowerCase() === input.toLowerCase() && HEX.test(input) ? undefined : path;
    }
    return canonical === input ? undefined : path;
  }
  if (Array.isArray(canonical)) {
    if (!Array.isArray(input) || input.length !== canonical.length) return path;
    for (const [i, c] of canonical.entries()) {
      const d = firstDifference(c, input[i], join(path, i));
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (typeof canonical === 'object' && canonical !== null) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return path;
    const o = input as Record<string, unknown>;
    for (const [k, c] of Object.entries(canonical)) {
      const d = firstDifference(c, o[k], join(path, k));
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return canonical === input ? undefined : path;
}

function valueAt(json: unknown, relative: string): unknown {
  let v: unknown = json;
  for (const part of relative.match(/[^.[\]]+/g) ?? []) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/**
 * Decodes `json` as a value of `type`; `INVALID_SIGN_REQUEST` naming the field (`path` and below)
 * when it is missing, malformed, out of range or not in canonical form.
 */
export function decodeJson<T>(type: Type<T>, json: unknown, path: string): T {
  let value: T;
  try {
    value = type.fromJson(json);
  } catch (e) {
    throw locate(type as Type<unknown>, json, path, e);
  }
  const diff = firstDifference(type.toJson(value), json, '');
  if (diff !== undefined) {
    const at =
      diff === '' ? path : path === '' ? diff : diff.startsWith('[') ? path + diff : `${path}.${diff}`;
    throw requestError(
      at || '(body)',
      `not a valid value (got ${describe(valueAt(json, diff))}): uints are decimal strings, bytes 0x-hex of the exact length`,
    );
  }
  return value;
}
