// `diva-node devnet` run as a user runs it (`pnpm devnet`: the sources with --conditions=diva:source)
// in a child process: its output kept, a promise for the first included attestation after the first
// one the command announces, and one for its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './cli.ts';

export interface DevnetRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once a status line after "first attestation" counts an included one. */
  readonly attesting: Promise<void>;
  readonly exited: Promise<number | null>;
}

const running = new Set<DevnetRun>();

/**
 * Stops the runs still going (a failed assertion leaves one running): Ctrl-C, which stops every
 * process it started, then SIGKILL after 60 s. For `afterEach`.
 */
export async function stopDevnets(): Promise<void> {
  await Promise.all(
    [...running].map(async (run) => {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGINT');
        const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
        await run.exited;
        clearTimeout(timer);
      }
      running.delete(run);
    }),
  );
}

export function runDevnet(args: readonly string[], timeoutMs = 10 * 60_000): DevnetRun {
  const child = spawn(process.execPath, ['--conditions=diva:source', CLI, 'devnet', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
  });
  const attesting = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no included attestation in time:\n${stderr.slice(-3000)}`)),
      timeoutMs,
    );
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (/attestations included [1-9]/.test(stderr.split('first attestation')[1] ?? '')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devnet exited (${code}) before attesting:\n${stderr.slice(-3000)}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const run = { child, stdout: () => stdout, stderr: () => stderr, attesting, exited };
  running.add(run);
  return run;
}
