// Locates ../shared/vectors (beside the checkout) and reads JSON vector files. A missing folder
// fails the test with the path it looked in: vectors never skip silently.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');

export const vectorsRoot = process.env.DIVA_VECTORS_DIR ?? resolve(repoRoot, '../shared/vectors');

export function vectorDir(...parts: string[]): string {
  const dir = join(vectorsRoot, ...parts);
  if (!existsSync(dir)) {
    throw new Error(`test vectors missing: ${dir} (expected ../shared/vectors beside the checkout)`);
  }
  return dir;
}

export interface VectorFile<T = unknown> {
  readonly name: string;
  readonly data: T;
}

export function readVectorFiles<T>(...parts: string[]): VectorFile<T>[] {
  const dir = vectorDir(...parts);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`no vector files in ${dir}`);
  return files.map((name) => ({ name, data: JSON.parse(readFileSync(join(dir, name), 'utf8')) as T }));
}

export function readVectorJson<T>(...parts: string[]): T {
  const path = join(vectorsRoot, ...parts);
  if (!existsSync(path)) throw new Error(`test vector missing: ${path}`);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function hex(value: string): Uint8Array {
  const h = value.startsWith('0x') ? value.slice(2) : value;
  return Uint8Array.from(Buffer.from(h, 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
