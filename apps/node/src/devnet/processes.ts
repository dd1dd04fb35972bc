// diva-node processes run by the devnet command and the end-to-end tests: each runs this package's
// CLI (`run --config FILE`) in its own Node process, its JSON log lines kept in a file and the last
// ones in memory. Kill with a signal (SIGKILL for a crash), restart with the same configuration.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DivaNodeError } from '../errors.ts';

/** This package's CLI entry: the .ts source when running from source, else the built .js. */
export const CLI_ENTRY = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../cli.ts' : '../cli.js', import.meta.url),
);

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface NodeProcess {
  readonly name: string;
  readonly configFile: string;
  readonly lines: LogLine[];
  readonly running: boolean;
  /** Starts it (again). */
  start(): void;
  /** Sends `signal` and waits for the exit; resolves with the exit code or signal. */
  kill(signal?: NodeJS.Signals): Promise<string>;
  /** Sends `signal` (one the node handles, such as SIGUSR2) if it runs; does not wait. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the first log line matching, or rejects after `timeoutMs`. */
  waitForLine(match: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
}

/**
 * The `--conditions` flags of this process (e.g. `diva:source`, which `pnpm devnet` runs with), so a
 * child resolves the workspace packages the same way: from their sources, no build needed.
 */
export function inheritedConditions(): string[] {
  const out: string[] = [];
  const args = process.execArgv;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--conditions=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && args[i + 1] !== undefined) out.push(a, args[++i]!);
  }
  return out;
}

export function nodeProcess(
  name: string,
  configFile: string,
  logFile: string,
  env: Record<string, string> = {},
  /** Log lines kept in memory (the file has all of them). Default: all. */
  keepLines = Number.POSITIVE_INFINITY,
): NodeProcess {
  const lines: LogLine[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<string> | undefined;
  let log: WriteStream | undefined;
  interface Waiter {
    match: (l: LogLine) => boolean;
    resolve: (l: LogLine) => void;
    reject: (e: Error) => void;
    /** The run (start count) it waits on: a later run's exit does not concern it. */
    run: number;
  }
  let runs = 0;
  const waiters = new Set<Waiter>();
  // the last lines, for an error that says what the process did
  const tail = () =>
    lines
      .slice(-8)
      .map((l) => `    ${JSON.stringify(l).slice(0, 400)}`)
      .join('\n');
  const onLine = (text: string) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { level: 50, msg: text };
    }
    lines.push(line);
    if (lines.length > keepLines) lines.splice(0, lines.length - keepLines);
    for (const w of waiters) {
      if (w.match(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  };
  const self: NodeProcess = {
    name,
    configFile,
    lines,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    start() {
      log ??= createWriteStream(logFile, { flags: 'a' });
      const c = spawn(
        process.execPath,
        [...inheritedConditions(), CLI_ENTRY, 'run', '--config', configFile],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...env },
        },
      );
      child = c;
      const run = ++runs;
      exited = new Promise((resolve) =>
        c.once('exit', (code, signal) => {
          const how = signal ?? String(code);
          // a waiter cannot be satisfied by a process that is gone (stdout is read to its end first)
          setImmediate(() => {
            for (const w of waiters) {
              if (w.run !== run) continue;
              waiters.delete(w);
              w.reject(
                new DivaNodeError({
                  code: 'DEVNET_FAILED',
                  phase: name,
                  reason: `exited (${how}) before the awaited log line; its last lines:\n${tail()}`,
                }),
              );
            }
          });
          resolve(how);
        }),
      );
      let buffer = '';
      c.stdout?.on('data', (chunk: Buffer) => {
        log?.write(chunk);
        buffer += chunk.toString('utf8');
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          onLine(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
        }
      });
      c.stderr?.on('data', (chunk: Buffer) => {
        log?.write(chunk);
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim() !== '') onLine(l);
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child === undefined || exited === undefined) return 'not started';
      if (self.running) child.kill(signal);
      return exited;
    },
    signal(signal) {
      if (self.running) child?.kill(signal);
    },
    waitForLine(match, timeoutMs) {
      const found = lines.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w: Waiter = { match, resolve, reject, run: runs };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w))
            reject(
              new DivaNodeError({
                code: 'DEVNET_FAILED',
                phase: name,
                reason: `no matching log line within ${timeoutMs} ms (${self.running ? 'running' : 'not running'}); its last lines:\n${tail()}`,
              }),
            );
        }, timeoutMs).unref();
      });
    },
  };
  return self;
}
