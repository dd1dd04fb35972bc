// Strict JSON decoding of SSZ types, following the Beacon API's JSON mapping (uints as decimal
// strings, bytes and bit arrays as 0x-hex, containers with snake_case keys). @chainsafe/ssz's own
// `fromJson` is lenient (it reads invalid hex digits as zero and `"12abc"` as 12) and does not
// say where a value was wrong; this walker rejects both and reports the JSON path.
import {
  BitArrayType,
  BooleanType,
  ByteArrayType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  type Type,
  UintBigintType,
  UintNumberType,
  VectorBasicType,
  VectorCompositeType,
} from '@chainsafe/ssz';
import { BeaconApiError } from '../errors.ts';

/** A value did not fit its type: DECODE_ERROR naming the field (`data[3].validator.pubkey`). */
export function fieldError(field: string, reason: string, cause?: unknown): BeaconApiError {
  return new BeaconApiError(
    { code: 'DECODE_ERROR', field, reason },
    cause === undefined ? undefined : { cause },
  );
}

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;
const U64_MAX = (1n << 64n) - 1n;

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return v.length > 40 ? `string "${v.slice(0, 40)}..."` : `string "${v}"`;
  return typeof v;
}

export function hexToBytes(json: unknown, path: string): Uint8Array {
  if (typeof json !== 'string' || !HEX.test(json)) {
    throw fieldError(path, `expected 0x-prefixed even-length hex, got ${describeValue(json)}`);
  }
  return new Uint8Array(Buffer.from(json.slice(2), 'hex'));
}

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

function decimal(json: unknown, path: string): bigint {
  if (typeof json === 'number' && Number.isSafeInteger(json) && json >= 0) return BigInt(json);
  if (typeof json !== 'string' || !DECIMAL.test(json)) {
    throw fieldError(path, `expected a decimal unsigned integer string, got ${describeValue(json)}`);
  }
  const v = BigInt(json);
  if (v > U64_MAX) throw fieldError(path, `integer ${json} exceeds uint64`);
  return v;
}

/**
 * Decodes `json` as a value of `type`; throws DECODE_ERROR naming the path of the first fault.
 * The fast path runs a decoder compiled once per type that tracks no paths; only when it fails is
 * the input walked again with paths, to name the field.
 */
export function fromJsonStrict<T>(type: Type<T>, json: unknown, path: string): T {
  try {
    return compile(type as Type<unknown>)(json) as T;
  } catch (e) {
    if (e !== INVALID) throw e;
  }
  walk(type as Type<unknown>, json, path); // throws with the path
  throw fieldError(path, 'invalid value');
}

// ---- compiled decoders (no paths) ----

type Decoder = (json: unknown) => unknown;
const INVALID = Object.freeze({ invalid: true });
// A memo of a pure function (type -> decoder), keyed by the identity of immutable SSZ type objects
// and dropped with them: nothing a caller does can change what it returns, so it is not state a
// caller could observe (unlike a preset or a shared buffer). Without it every decode would rebuild
// its decoder (the 10,000-validator decode in bench/ would be several times slower).
const compiled = new WeakMap<object, Decoder>();

function bytesOf(json: unknown, exact: number, max: number): Uint8Array {
  if (typeof json !== 'string' || !HEX.test(json)) throw INVALID;
  const n = (json.length - 2) / 2;
  if ((exact >= 0 && n !== exact) || n > max) throw INVALID;
  return new Uint8Array(Buffer.from(json.slice(2), 'hex'));
}

function uintOf(json: unknown, byteLength: number): bigint {
  let v: bigint;
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json) || json < 0) throw INVALID;
    v = BigInt(json);
  } else if (typeof json === 'string' && DECIMAL.test(json)) {
    v = BigInt(json);
  } else throw INVALID;
  if (v > U64_MAX || (byteLength < 8 && v >= 1n << BigInt(byteLength * 8))) throw INVALID;
  return v;
}

function compile(type: Type<unknown>): Decoder {
  const hit = compiled.get(type);
  if (hit !== undefined) return hit;
  let d: Decoder;
  if (type instanceof ContainerType) {
    const fields: [string, string, Decoder][] = [];
    d = (json) => {
      if (typeof json !== 'object' || json === null || Array.isArray(json)) throw INVALID;
      const o = json as Record<string, unknown>;
      const v: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const [name, key, dec] = fields[i] as [string, string, Decoder];
        const x = o[key];
        if (x === undefined) throw INVALID;
        v[name] = dec(x);
      }
      return v;
    };
    compiled.set(type, d); // before the fields: recursive types resolve to this decoder
    for (const { fieldName, fieldType, jsonKey } of type.fieldsEntries) {
      fields.push([String(fieldName), String(jsonKey), compile(fieldType as Type<unknown>)]);
    }
    return d;
  }
  if (
    type instanceof ListBasicType ||
    type instanceof ListCompositeType ||
    type instanceof VectorBasicType ||
    type instanceof VectorCompositeType
  ) {
    const el = compile(type.elementType as Type<unknown>);
    const isList = type instanceof ListBasicType || type instanceof ListCompositeType;
    const n = isList ? (type as { limit: number }).limit : (type as { length: number }).length;
    d = (json) => {
      if (!Array.isArray(json) || (isList ? json.length > n : json.length !== n)) throw INVALID;
      const out = new Array(json.length);
      for (let i = 0; i < json.length; i++) out[i] = el(json[i]);
      return out;
    };
  } else if (type instanceof ByteVectorType) {
    const len = type.lengthBytes;
    d = (json) => bytesOf(json, len, len);
  } else if (type instanceof ByteListType) {
    const max = type.limitBytes;
    d = (json) => bytesOf(json, -1, max);
  } else if (type instanceof UintNumberType) {
    const bl = type.byteLength;
    const clip = (type as unknown as { clipInfinity?: boolean }).clipInfinity === true;
    d = (json) => {
      if (typeof json === 'string' && json.length <= 15 && DECIMAL.test(json)) {
        const v = Number(json);
        if (bl < 8 && v >= 2 ** (bl * 8)) throw INVALID;
        return v;
      }
      const v = uintOf(json, bl);
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
        if (clip && v === U64_MAX) return Number.POSITIVE_INFINITY;
        throw INVALID;
      }
      return Number(v);
    };
  } else if (type instanceof UintBigintType) {
    const bl = type.byteLength;
    d = (json) => uintOf(json, bl);
  } else if (type instanceof BooleanType) {
    d = (json) => {
      if (typeof json !== 'boolean') throw INVALID;
      return json;
    };
  } else if (type instanceof BitArrayType) {
    d = (json) => {
      if (typeof json !== 'string' || !HEX.test(json)) throw INVALID;
      try {
        return type.fromJson(json);
      } catch {
        throw INVALID;
      }
    };
  } else {
    d = (json) => {
      try {
        return type.fromJson(json);
      } catch {
        throw INVALID;
      }
    };
  }
  compiled.set(type, d);
  return d;
}

function walk(type: Type<unknown>, json: unknown, path: string): unknown {
  if (type instanceof ContainerType) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw fieldError(path, `expected an object, got ${describeValue(json)}`);
    }
    const o = json as Record<string, unknown>;
    const value: Record<string, unknown> = {};
    for (const { fieldName, fieldType, jsonKey } of type.fieldsEntries) {
      const key = String(jsonKey);
      const sub = `${path}.${key}`;
      const v = o[key];
      if (v === undefined) throw fieldError(sub, 'missing');
      value[String(fieldName)] = walk(fieldType as Type<unknown>, v, sub);
    }
    return value;
  }
  if (type instanceof ListBasicType || type instanceof ListCompositeType) {
    if (!Array.isArray(json)) throw fieldError(path, `expected an array, got ${describeValue(json)}`);
    if (json.length > type.limit) {
      throw fieldError(path, `list of ${json.length} exceeds the limit of ${type.limit}`);
    }
    const et = type.elementType as Type<unknown>;
    return json.map((v, i) => walk(et, v, `${path}[${i}]`));
  }
  if (type instanceof VectorBasicType || type instanceof VectorCompositeType) {
    if (!Array.isArray(json)) throw fieldError(path, `expected an array, got ${describeValue(json)}`);
    if (json.length !== type.length) {
      throw fieldError(path, `vector of ${json.length} elements, expected ${type.length}`);
    }
    const et = type.elementType as Type<unknown>;
    return json.map((v, i) => walk(et, v, `${path}[${i}]`));
  }
  if (type instanceof ByteArrayType) {
    const bytes = hexToBytes(json, path);
    if (type instanceof ByteVectorType && bytes.length !== type.lengthBytes) {
      throw fieldError(path, `expected ${type.lengthBytes} bytes, got ${bytes.length}`);
    }
    if (type instanceof ByteListType && bytes.length > type.limitBytes) {
      throw fieldError(path, `${bytes.length} bytes exceed the limit of ${type.limitBytes}`);
    }
    return bytes;
  }
  if (type instanceof BitArrayType) {
    hexToBytes(json, path);
    return wrap(type, json, path);
  }
  if (type instanceof UintNumberType) {
    const v = decimal(json, path);
    if (type.byteLength < 8 && v >= 1n << BigInt(type.byteLength * 8)) {
      throw fieldError(path, `integer ${v} exceeds uint${type.byteLength * 8}`);
    }
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      // Lodestar's number-typed uint64 fields (epochs) represent 2^64-1 as Infinity.
      if ((type as unknown as { clipInfinity?: boolean }).clipInfinity && v === U64_MAX)
        return Number.POSITIVE_INFINITY;
      throw fieldError(path, `integer ${v} is too large for this field`);
    }
    return Number(v);
  }
  if (type instanceof UintBigintType) {
    const v = decimal(json, path);
    if (type.byteLength < 8 && v >= 1n << BigInt(type.byteLength * 8)) {
      throw fieldError(path, `integer ${v} exceeds uint${type.byteLength * 8}`);
    }
    return v;
  }
  if (type instanceof BooleanType) {
    if (typeof json !== 'boolean') throw fieldError(path, `expected a boolean, got ${describeValue(json)}`);
    return json;
  }
  return wrap(type, json, path);
}

function wrap(type: Type<unknown>, json: unknown, path: string): unknown {
  try {
    return type.fromJson(json);
  } catch (e) {
    throw fieldError(path, e instanceof Error ? e.message : String(e), e);
  }
}
