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

/** A JSON value did not fit the type; `path` is where (`data[3].validator.pubkey`). */
export class JsonFieldError extends Error {
  override readonly name = 'JsonFieldError';
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.path = path;
    this.reason = reason;
  }
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
    throw new JsonFieldError(path, `expected 0x-prefixed even-length hex, got ${describeValue(json)}`);
  }
  return Uint8Array.from(Buffer.from(json.slice(2), 'hex'));
}

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

function decimal(json: unknown, path: string): bigint {
  if (typeof json === 'number' && Number.isSafeInteger(json) && json >= 0) return BigInt(json);
  if (typeof json !== 'string' || !DECIMAL.test(json)) {
    throw new JsonFieldError(path, `expected a decimal unsigned integer string, got ${describeValue(json)}`);
  }
  const v = BigInt(json);
  if (v > U64_MAX) throw new JsonFieldError(path, `integer ${json} exceeds uint64`);
  return v;
}

/** Decodes `json` as a value of `type`; throws JsonFieldError naming the path of the first fault. */
export function fromJsonStrict<T>(type: Type<T>, json: unknown, path: string): T {
  return walk(type as Type<unknown>, json, path) as T;
}

function walk(type: Type<unknown>, json: unknown, path: string): unknown {
  if (type instanceof ContainerType) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new JsonFieldError(path, `expected an object, got ${describeValue(json)}`);
    }
    const o = json as Record<string, unknown>;
    const value: Record<string, unknown> = {};
    for (const { fieldName, fieldType, jsonKey } of type.fieldsEntries) {
      const key = String(jsonKey);
      const sub = `${path}.${key}`;
      const v = o[key];
      if (v === undefined) throw new JsonFieldError(sub, 'missing');
      value[String(fieldName)] = walk(fieldType as Type<unknown>, v, sub);
    }
    return value;
  }
  if (type instanceof ListBasicType || type instanceof ListCompositeType) {
    if (!Array.isArray(json)) throw new JsonFieldError(path, `expected an array, got ${describeValue(json)}`);
    if (json.length > type.limit) {
      throw new JsonFieldError(path, `list of ${json.length} exceeds the limit of ${type.limit}`);
    }
    const et = type.elementType as Type<unknown>;
    return json.map((v, i) => walk(et, v, `${path}[${i}]`));
  }
  if (type instanceof VectorBasicType || type instanceof VectorCompositeType) {
    if (!Array.isArray(json)) throw new JsonFieldError(path, `expected an array, got ${describeValue(json)}`);
    if (json.length !== type.length) {
      throw new JsonFieldError(path, `vector of ${json.length} elements, expected ${type.length}`);
    }
    const et = type.elementType as Type<unknown>;
    return json.map((v, i) => walk(et, v, `${path}[${i}]`));
  }
  if (type instanceof ByteArrayType) {
    const bytes = hexToBytes(json, path);
    if (type instanceof ByteVectorType && bytes.length !== type.lengthBytes) {
      throw new JsonFieldError(path, `expected ${type.lengthBytes} bytes, got ${bytes.length}`);
    }
    if (type instanceof ByteListType && bytes.length > type.limitBytes) {
      throw new JsonFieldError(path, `${bytes.length} bytes exceed the limit of ${type.limitBytes}`);
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
      throw new JsonFieldError(path, `integer ${v} exceeds uint${type.byteLength * 8}`);
    }
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      // Lodestar's number-typed uint64 fields (epochs) represent 2^64-1 as Infinity.
      if ((type as unknown as { clipInfinity?: boolean }).clipInfinity && v === U64_MAX)
        return Number.POSITIVE_INFINITY;
      throw new JsonFieldError(path, `integer ${v} is too large for this field`);
    }
    return Number(v);
  }
  if (type instanceof UintBigintType) {
    const v = decimal(json, path);
    if (type.byteLength < 8 && v >= 1n << BigInt(type.byteLength * 8)) {
      throw new JsonFieldError(path, `integer ${v} exceeds uint${type.byteLength * 8}`);
    }
    return v;
  }
  if (type instanceof BooleanType) {
    if (typeof json !== 'boolean')
      throw new JsonFieldError(path, `expected a boolean, got ${describeValue(json)}`);
    return json;
  }
  return wrap(type, json, path);
}

function wrap(type: Type<unknown>, json: unknown, path: string): unknown {
  try {
    return type.fromJson(json);
  } catch (e) {
    throw new JsonFieldError(path, e instanceof Error ? e.message : String(e));
  }
}
