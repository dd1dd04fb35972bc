// Where the known-answer vectors are: `DIVA_VECTORS_DIR` when set, else `../shared/vectors` beside
// the checkout (the workspace root is found from this file, so any package's tests agree). A missing
// folder or file throws with the path it looked at: a vector set never skips silently.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (the folder with pnpm-workspace.yaml), from this module's location. */
const workspaceRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Thrown when a vector folder or file is missing; the message names the path. */
export class VectorsMissingError extends Error {
  readonly path: string;
  constructor(path: string, what: string) {
    super(
      `${what} missing: ${path} (expected ../shared/vectors beside the checkout, or set DIVA_VECTORS_DIR)`,
    );
    this.name = 'VectorsMissingError';
    this.path = path;
  }
}

/** The vectors root folder (not checked: use `vectorsDir` for a folder that must exist). */
export function vectorsRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const override = env.DIVA_VECTORS_DIR;
  return override ? resolve(override) : resolve(workspaceRoot, '../shared/vectors');
}

/** A folder below the vectors root, e.g. `vectorsDir('eip3076')`; throws when it does not exist. */
export function vectorsDir(...parts: string[]): string {
  const dir = join(vectorsRoot(), ...parts);
  if (!existsSync(dir)) throw new VectorsMissingError(dir, 'test vectors');
  return dir;
}

/** A file below the vectors root; throws when it does not exist. */
export function vectorsFile(...parts: string[]): string {
  const path = join(vectorsRoot(), ...parts);
  if (!existsSync(path)) throw new VectorsMissingError(path, 'test vector file');
  return path;
}

/** Reads and parses one JSON vector file. */
export function readVectorJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(vectorsFile(...parts), 'utf8')) as T;
}

/** Every `*.json` file of a vector folder, sorted by name, parsed; throws when there is none. */
export function readVectorFiles<T>(...parts: string[]): { name: string; data: T }[] {
  const dir = vectorsDir(...parts);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new VectorsMissingError(join(dir, '*.json'), 'test vector files');
  return files.map((name) => ({ name, data: JSON.parse(readFileSync(join(dir, name), 'utf8')) as T }));
}

export { AnvilBinaryMissingError, anvilBinary } from './anvil.ts';
