// Small readers for hand-decoded JSON shapes (those that are not SSZ containers).
import { fieldError } from './json.ts';

export function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw fieldError(path, 'expected an object');
  return v as Record<string, unknown>;
}

export function str(o: Record<string, unknown>, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw fieldError(`${path}.${key}`, v === undefined ? 'missing' : 'expected a string');
  return v;
}

export function optStr(o: Record<string, unknown>, key: string, path: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, path);
}

export function bool(o: Record<string, unknown>, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean')
    throw fieldError(`${path}.${key}`, v === undefined ? 'missing' : 'expected a boolean');
  return v;
}

export function uint(o: Record<string, unknown>, key: string, path: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v !== 'string' || !/^[0-9]{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw fieldError(
      `${path}.${key}`,
      v === undefined ? 'missing' : `expected a decimal integer string, got ${JSON.stringify(v)}`,
    );
  }
  return Number(v);
}

export function strArray(o: Record<string, unknown>, key: string, path: string): string[] {
  const v = o[key];
  if (!Array.isArray(v))
    throw fieldError(`${path}.${key}`, v === undefined ? 'missing' : 'expected an array');
  return v.map((x, i) => {
    if (typeof x !== 'string') throw fieldError(`${path}.${key}[${i}]`, 'expected a string');
    return x;
  });
}
