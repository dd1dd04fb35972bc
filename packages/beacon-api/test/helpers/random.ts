// Random valid values of any SSZ type (deterministic from a seed), so codec round trips carry
// real data rather than all-zero defaults.
import {
  BitArray,
  BitListType,
  BitVectorType,
  BooleanType,
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

export function createRng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function randomValue<T>(type: Type<T>, rng: () => number, maxList = 2): T {
  return gen(type as Type<unknown>, rng, maxList) as T;
}

function bytes(n: number, rng: () => number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng() & 0xff;
  return b;
}

function gen(type: Type<unknown>, rng: () => number, maxList: number): unknown {
  if (type instanceof ContainerType) {
    const v: Record<string, unknown> = {};
    for (const { fieldName, fieldType } of type.fieldsEntries)
      v[String(fieldName)] = gen(fieldType as Type<unknown>, rng, maxList);
    return v;
  }
  if (type instanceof ListBasicType || type instanceof ListCompositeType) {
    const big = (type.elementType as Type<unknown>).maxSize > 4096;
    const n = Math.min(type.limit, rng() % ((big ? 1 : maxList) + 1));
    return Array.from({ length: n }, () => gen(type.elementType as Type<unknown>, rng, maxList));
  }
  if (type instanceof VectorBasicType || type instanceof VectorCompositeType) {
    return Array.from({ length: type.length }, () => gen(type.elementType as Type<unknown>, rng, maxList));
  }
  if (type instanceof ByteVectorType) return bytes(type.lengthBytes, rng);
  if (type instanceof ByteListType) return bytes(Math.min(type.limitBytes, rng() % 40), rng);
  if (type instanceof BitVectorType) {
    const b = BitArray.fromBitLen(type.lengthBits);
    for (let i = 0; i < type.lengthBits; i++) b.set(i, (rng() & 1) === 1);
    return b;
  }
  if (type instanceof BitListType) {
    const len = Math.min(type.limitBits, 1 + (rng() % 20));
    const b = BitArray.fromBitLen(len);
    for (let i = 0; i < len; i++) b.set(i, (rng() & 1) === 1);
    return b;
  }
  if (type instanceof UintNumberType) {
    return type.byteLength >= 4 ? rng() % 1_000_000 : rng() % 2 ** (8 * type.byteLength);
  }
  if (type instanceof UintBigintType) {
    return type.byteLength >= 8
      ? (BigInt(rng()) << 32n) | BigInt(rng())
      : BigInt(rng() % 2 ** (8 * type.byteLength));
  }
  if (type instanceof BooleanType) return (rng() & 1) === 1;
  return type.defaultValue();
}
