// Atomic file writes shared by the cluster file and the keystores: write a temporary file in the
// same directory (flushed), then rename it over the target, so a reader sees the old content or the
// new one, never a torn file.
import { randomBytes } from 'node:crypto';
import { access, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OperatorError } from '../errors.ts';

/** Writes `text` to `path` atomically (`FILE_ACCESS_FAILED` on failure; the cause names the path). */
export async function writeFileAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flush: true, mode });
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'write' }, { cause });
  }
}

/** Whether `path` exists (any kind of file). */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
