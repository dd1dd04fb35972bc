// One process per data directory, with real processes: a second process holding the lock makes
// it DATA_DIR_LOCKED (naming the dir and that pid); once that process is killed with SIGKILL its
// stale lock is taken over with a log line.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DATA_DIR_LOCK_FILE, isOperatorError, type LogFields, lockDataDir } from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-data-dir-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});
let dirs = 0;
const freshDir = (): string => mkdtempSync(join(root, `dir-${dirs++}-`));

const dataDirModule = fileURLToPath(new URL('../src/data-dir.ts', import.meta.url));

/** A node process that takes the lock of `dir` and holds it until killed; resolves once it holds it. */
async function holdLockInChild(dir: string): Promise<ChildProcess> {
  const script = `
    const { lockDataDir } = await import(${JSON.stringify(dataDirModule)});
    await lockDataDir(${JSON.stringify(dir)});
    process.stdout.write('locked\\n');
    setInterval(() => {}, 1 << 30);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      if (String(d).includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${stderr}`)));
  });
  return child;
}

describe('lockDataDir', () => {
  it('refuses a directory another live process holds, then takes over its lock once it was killed', async () => {
    const dir = freshDir();
    const child = await holdLockInChild(dir);
    expect(readFileSync(join(dir, DATA_DIR_LOCK_FILE), 'utf8').trim()).toBe(String(child.pid));

    await expect(lockDataDir(dir)).rejects.toSatisfy(
      (e) =>
        isOperatorError(e, 'DATA_DIR_LOCKED') &&
        e.details.dir === dir &&
        e.details.pid === child.pid &&
        e.message.includes(dir) &&
        e.message.includes(String(child.pid)),
    );

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const warnings: LogFields[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (_m: string, f?: LogFields) => warnings.push(f ?? {}),
    };
    const lock = await lockDataDir(dir, { logger });
    expect(warnings).toEqual([{ dir, stalePid: child.pid }]);
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.pid));
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
  });

  it('locks, releases (idempotently) and locks again; a held lock refuses a second holder', async () => {
    const dir = freshDir();
    const lock = await lockDataDir(dir);
    expect(lock.path).toBe(join(dir, DATA_DIR_LOCK_FILE));
    // Another (live) pid claiming the directory: this test process's parent stands in for it.
    await expect(lockDataDir(dir, { pid: process.ppid })).rejects.toSatisfy(
      (e) => isOperatorError(e, 'DATA_DIR_LOCKED') && e.details.pid === process.pid,
    );
    await lock.release();
    await lock.release();
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('does not remove a lock another process took after this one was released', async () => {
    const dir = freshDir();
    const lock = await lockDataDir(dir);
    writeFileSync(lock.path, `${process.ppid}\n`);
    await lock.release();
    expect(readFileSync(lock.path, 'utf8').trim()).toBe(String(process.ppid));
  });

  it('takes over a lock file whose content is not a pid, and fails clearly on a missing directory', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), 'garbage');
    const lock = await lockDataDir(dir);
    await lock.release();
    const missing = join(root, 'absent');
    await expect(lockDataDir(missing)).rejects.toSatisfy((e) => isOperatorError(e, 'FILE_ACCESS_FAILED'));
  });
});
