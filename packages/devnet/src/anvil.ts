// Starts Anvil (the EVM node of @foundry-rs/anvil's platform package, nothing downloaded) on a
// loopback port for a devnet: blocks every `blockTimeSec` seconds (the beacon node's eth1 tracker
// follows real block times), its log in a file, stopped by SIGTERM then SIGKILL. Every Anvil still
// running when this process exits is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevnetError } from './errors.ts';
import { checkInteger } from './internal/options.ts';

export interface StartAnvilOptions {
  /** Seconds between blocks (`--block-time`). Default 1 (what the eth1 follow distance of 64 assumes). */
  blockTimeSec?: number;
  /** Default 1337. */
  chainId?: number;
  /** Unlocked dev accounts (default 10) and each one's balance in ETH (default 10,000). */
  accounts?: number;
  balanceEth?: number;
  /** Default: a free port chosen by Anvil. */
  port?: number;
  /** Default `<new temp dir>/anvil.log`. */
  logFile?: string;
  /** Default 20 000 ms. */
  startTimeoutMs?: number;
  /**
   * Keep the chain in this file (`--state`, with the historical states so that reads at past blocks
   * still answer): loaded at the start when it exists, written at `stop()`. A second run with the
   * same file continues the chain: accounts, contracts, blocks, transactions and logs.
   */
  stateFile?: string;
  /** Appended to the command line as is. */
  extraArgs?: readonly string[];
}

export interface AnvilNode {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly chainId: number;
  readonly logFile: string;
  /** Stops Anvil; safe to call more than once. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** The Anvil binary of the pinned @foundry-rs/anvil for this platform. */
export function defaultAnvilBinary(): string {
  const platforms: Record<string, string> = {
    'linux-x64': 'linux-amd64',
    'linux-arm64': 'linux-arm64',
    'darwin-arm64': 'darwin-arm64',
    'darwin-x64': 'darwin-amd64',
  };
  const platform = platforms[`${process.platform}-${process.arch}`];
  const binary = `@foundry-rs/anvil-${platform ?? process.platform}/bin/anvil`;
  if (platform === undefined) throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary });
  try {
    const req = createRequire(createRequire(import.meta.url).resolve('@foundry-rs/anvil/package.json'));
    return req.resolve(binary);
  } catch (cause) {
    throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary }, { cause });
  }
}

export async function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilNode> {
  checkInteger('blockTimeSec', options.blockTimeSec, 1, 60);
  checkInteger('chainId', options.chainId, 1, 2 ** 53 - 1);
  checkInteger('accounts', options.accounts, 1, 1000);
  checkInteger('port', options.port, 0, 65535);
  const binary = defaultAnvilBinary();
  const chainId = options.chainId ?? 1337;
  const logFile = options.logFile ?? join(await mkdtemp(join(tmpdir(), 'diva-devnet-anvil-')), 'anvil.log');
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(chainId),
    '--block-time',
    String(options.blockTimeSec ?? 1),
    '--hardfork',
    'prague',
    '--accounts',
    String(options.accounts ?? 10),
    '--balance',
    String(options.balanceEth ?? 10_000),
    ...(options.stateFile === undefined
      ? []
      : ['--state', options.stateFile, '--preserve-historical-states']),
    ...(options.extraArgs ?? []),
  ];
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log, { end: false });

  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new DevnetError({ code: 'ANVIL_FAILED', reason: `not listening after ${timeoutMs} ms`, logFile }),
      );
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4096);
      const m = /Listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('error', (cause) => {
      clearTimeout(timer);
      reject(new DevnetError({ code: 'ANVIL_FAILED', reason: `cannot run ${binary}`, logFile }, { cause }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new DevnetError({
          code: 'ANVIL_FAILED',
          reason: `exited before listening (code ${code}, signal ${signal}): ${seen.slice(-300)}`,
          logFile,
        }),
      );
    });
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid ?? -1,
    url: `http://127.0.0.1:${port}`,
    port,
    chainId,
    logFile,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        // with a state file Anvil writes the chain first: give it time
        const timer = setTimeout(
          () => child.kill('SIGKILL'),
          options.stateFile === undefined ? 5_000 : 30_000,
        );
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
