// One process per data directory: two nodes on one slashing-protection database and one set of
// key shares would sign twice. The lock is a file `<dir>/diva.lock` holding the owner's pid,
// created exclusively with its content already in it: the pid goes into a temporary file (opened
// with 'wx'), which is then hard-linked to `diva.lock` (link fails if the name exists), so another
// process never sees an empty lock file and mistakes it for a stale one. A lock whose pid is no longer alive (the node was
// killed) is taken over, with a log line; a live one is `DATA_DIR_LOCKED`.
//
// Limits: taking over a stale lock (unlink, then create) is not atomic against a second process
// doing the same in the same instant; a pid reused by an unrelated live process keeps the lock
// held (the error names the pid, and the operator deletes the file after checking it).
import { randomBytes } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { OperatorError } from './errors.ts';
import { type Logger, silentLogger } from './logger.ts';

export const DATA_DIR_LOCK_FILE = 'diva.lock';

export interface DataDirLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (only if it is still this process's lock); idempotent. */
  release(): Promise<void>;
}

export interface LockDataDirOptions {
  readonly logger?: Logger;
  /** The pid written into the lock (default `process.pid`). */
  readonly pid?: number;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'read' }, { cause: error });
  }
}

/**
 * Takes the lock of data directory `dir` (which must exist). Throws `DATA_DIR_LOCKED` (dir, pid)
 * when a live process holds it and `FILE_ACCESS_FAILED` when the lock file cannot be written.
 */
export async function lockDataDir(dir: string, options: LockDataDirOptions = {}): Promise<DataDirLock> {
  const logger = options.logger ?? silentLogger;
  const pid = options.pid ?? process.pid;
  const path = join(dir, DATA_DIR_LOCK_FILE);
  const tmp = join(dir, `.${DATA_DIR_LOCK_FILE}.${pid}.${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(`${pid}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path: tmp, operation: 'write' }, { cause: error });
  }
  try {
    await acquire(path, tmp, dir, pid, logger);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      if ((await readOwner(path)) === pid) await unlink(path).catch(() => {});
    },
  };
}

async function acquire(path: string, tmp: string, dir: string, pid: number, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await link(tmp, path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) {
        throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'write' }, { cause: error });
      }
    }
    const owner = await readOwner(path);
    if (owner !== undefined && owner !== pid && isAlive(owner)) {
      throw new OperatorError({ code: 'DATA_DIR_LOCKED', dir, pid: owner });
    }
    // Stale (its process is gone), unreadable as a pid (a crash while writing it), or our own pid
    // left by an earlier run: take it over.
    logger.warn('taking over a stale data-directory lock', { dir, stalePid: owner ?? null });
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') {
        throw new OperatorError({ code: 'FILE_ACCESS_FAILED', path, operation: 'write' }, { cause: error });
      }
    });
  }
}
