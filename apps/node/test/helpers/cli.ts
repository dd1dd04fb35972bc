// The diva-node CLI as a real process, for the tests of its commands: a scratch directory per test
// file, runs that block or not, the one-line failure they end with, free loopback ports.
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

export const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
export const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/** A fresh directory removed after the test file; `at(...)` names a path inside it. */
export function scratchDir(prefix: string): { root: string; at: (...parts: string[]) => string } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return { root, at: (...parts) => join(root, ...parts) };
}

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI (at nice 19) without blocking the test process, so several run at once; killed after 90 s. */
export function runCli(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn('nice', ['-n', '19', process.execPath, CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs the CLI (at nice 19) to its end; killed after 120 s. */
export const runCliSync = (...args: string[]): SpawnSyncReturns<string> =>
  spawnSync('nice', ['-n', '19', process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 120_000 });

/** Expects exit status `status` and exactly one stderr line containing each of `mentions`; returns it. */
export function expectOneLineFailure(
  r: Pick<CliRun, 'status' | 'stdout' | 'stderr'>,
  status: number,
  mentions: readonly string[],
): string {
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(status);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  for (const m of mentions) expect(lines[0]).toContain(m);
  return lines[0]!;
}

/** A loopback TCP port free at the time of asking. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
