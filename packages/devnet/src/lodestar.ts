// Starts a Lodestar beacon node (`lodestar dev`: beacon node plus, optionally, its own validator
// client with interop keys) as a child process on free loopback ports, waits until its REST API
// answers, writes its stdout and stderr to a log file, and stops it: two SIGTERMs 3 s apart (the
// first starts a graceful stop that Lodestar 1.5.1 often never finishes), then SIGKILL. Every node
// still running when this process exits is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DevnetError } from './errors.ts';
import { allocatePort, isPortFree, reservePort } from './ports.ts';

export type LodestarPreset = 'minimal' | 'mainnet';

/** Where the node's genesis comes from. */
export type LodestarGenesis =
  /** Lodestar's interop genesis: `validatorCount` validators with the interop keys 0..count-1. */
  | { kind: 'interop'; validatorCount: number; genesisTimeSec?: number; eth1BlockHash?: `0x${string}` }
  /**
   * An SSZ BeaconState file (for example from `buildGenesisState`); its genesis time must lie ahead.
   * `genesisTimeSec` replaces the state's genesis_time (its first field; nothing else in a genesis
   * state depends on it) in a copy the node starts from: set it just before the start, so that the
   * time it took to build the state does not eat into the node's start-up margin.
   */
  | { kind: 'state'; stateFile: string; genesisTimeSec?: number };

export interface StartLodestarOptions {
  /**
   * The Lodestar CLI: a `.js` entry (run with `nodeBinary`) or an executable. Defaults to the
   * `@chainsafe/lodestar` this package depends on (1.5.1). Point it at a newer Lodestar to test
   * against that; flags this launcher passes are those of `lodestar dev`.
   */
  binary?: string;
  /** Node.js that runs a `.js` binary. Default: the Node running this process. */
  nodeBinary?: string;
  /** Default `minimal` (set through LODESTAR_PRESET). */
  preset?: LodestarPreset;
  /** Default 2. */
  secondsPerSlot?: number;
  /** Default 0 (altair from genesis). */
  altairForkEpoch?: number;
  /** More chain-config values, passed as `--params.NAME value`. */
  params?: Readonly<Record<string, string | number>>;
  /** Default: interop genesis of 8 validators. */
  genesis?: LodestarGenesis;
  /**
   * Interop keys Lodestar's own validator client runs, as an inclusive range. Default: all of an
   * interop genesis, none for a genesis state. `null`: no validator client.
   */
  startValidators?: { from: number; to: number } | null;
  /** Fixed ports (checked free first); by default free ports are allocated. */
  restPort?: number;
  p2pPort?: number;
  /** Folder for the node's database and log. Default: a new temporary folder. */
  dataDir?: string;
  /** Default `<dataDir>/lodestar.log`. */
  logFile?: string;
  /** Lodestar's `--logLevel`. Default `info`. */
  logLevel?: 'error' | 'warn' | 'info' | 'verbose' | 'debug';
  /** How long to wait for the REST API. Default 120 000 ms (2-20 s is usual; a loaded 2-core machine needs more). */
  startTimeoutMs?: number;
  /**
   * Waits of `stop()`: after the first SIGTERM (default 3 000 ms), after the second (10 000 ms), after
   * SIGKILL (5 000 ms).
   */
  stopTimeoutsMs?: { firstTerm?: number; secondTerm?: number; kill?: number };
  /** Keep the chain database after stop (the log is always kept). Default false. */
  keepChainData?: boolean;
  /** Appended to the command line as is. */
  extraArgs?: readonly string[];
  /** Extra environment for the child (on top of this process's). */
  env?: Readonly<Record<string, string>>;
}

export interface LodestarGenesisInfo {
  genesisTimeSec: number;
  genesisValidatorsRoot: `0x${string}`;
  genesisForkVersion: `0x${string}`;
}

export interface LodestarExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface LodestarStopResult extends LodestarExit {
  /** How the node ended: it had exited already, after the first or second SIGTERM, or SIGKILL. */
  how: 'already-exited' | 'sigterm' | 'second-sigterm' | 'sigkill';
  stopMs: number;
}

export interface LodestarNode {
  readonly pid: number;
  readonly restUrl: string;
  readonly restPort: number;
  readonly p2pPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly preset: LodestarPreset;
  readonly secondsPerSlot: number;
  readonly genesis: LodestarGenesisInfo;
  /** Milliseconds from spawn until the REST API answered. */
  readonly startupMs: number;
  /** The command line it was started with. */
  readonly command: readonly string[];
  /** Settles when the process has exited (for whatever reason). */
  readonly exited: Promise<LodestarExit>;
  readonly running: boolean;
  /** The log so far. */
  readLog(): Promise<string>;
  /** Stops the node; safe to call more than once. */
  stop(): Promise<LodestarStopResult>;
  [Symbol.asyncDispose](): Promise<void>;
}

const HOST = '127.0.0.1';
const LOG_TAIL_LINES = 40;
const FIRST_TERM_WAIT_MS = 3_000;
const SECOND_TERM_WAIT_MS = 10_000;
const KILL_WAIT_MS = 5_000;

const liveChildren = new Set<ChildProcess>();
const liveNodes = new Set<LodestarNode>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a test process that ends (or crashes) without stopping its nodes takes them along.
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

/** The Lodestar CLI entry of the pinned @chainsafe/lodestar dependency. */
export function defaultLodestarBinary(): string {
  return createRequire(import.meta.url).resolve('@chainsafe/lodestar');
}

function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in Lodestar's log
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

async function logTail(logFile: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = stripAnsi(await readFile(logFile, 'utf8'));
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

function checkInteger(option: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option,
      reason: `expected an integer in [${min}, ${max}], got ${value}`,
    });
  }
}

/** Reads genesis_time (the first field of every BeaconState, uint64 little-endian). */
async function readGenesisTime(stateFile: string): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(stateFile);
  } catch (cause) {
    throw new DevnetError({ code: 'INVALID_GENESIS_STATE', stateFile, reason: 'cannot be read' }, { cause });
  }
  if (bytes.length < 8) {
    throw new DevnetError({ code: 'INVALID_GENESIS_STATE', stateFile, reason: `only ${bytes.length} bytes` });
  }
  return Number(bytes.readBigUInt64LE(0));
}

/**
 * Checks the genesis time of a state file (optionally replacing it in a copy) and returns the file
 * the node should start from.
 */
async function prepareGenesisState(
  genesis: { stateFile: string; genesisTimeSec?: number },
  dataDir: string,
  secondsPerSlot: number,
): Promise<string> {
  let genesisTimeSec = await readGenesisTime(genesis.stateFile);
  let file = genesis.stateFile;
  if (genesis.genesisTimeSec !== undefined) {
    checkInteger('genesis.genesisTimeSec', genesis.genesisTimeSec, 0, 2 ** 53 - 1);
    const bytes = await readFile(genesis.stateFile);
    bytes.writeBigUInt64LE(BigInt(genesis.genesisTimeSec), 0);
    file = join(dataDir, 'genesis-state.ssz');
    await writeFile(file, bytes);
    genesisTimeSec = genesis.genesisTimeSec;
  }
  const nowSec = Math.floor(Date.now() / 1000);
  if (genesisTimeSec + 2 * secondsPerSlot < nowSec) {
    throw new DevnetError({ code: 'GENESIS_IN_PAST', genesisTimeSec, nowSec, stateFile: genesis.stateFile });
  }
  return file;
}

async function checkBinary(binary: string, runWithNode: boolean): Promise<void> {
  try {
    const info = await stat(binary);
    if (!info.isFile()) throw new Error('not a file');
    await access(binary, runWithNode ? fsConstants.R_OK : fsConstants.X_OK);
  } catch (cause) {
    throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary }, { cause });
  }
}

async function choosePort(which: 'rest' | 'p2p', port: number | undefined): Promise<number> {
  const udp = which === 'p2p';
  if (port === undefined) return allocatePort(HOST, { udp });
  if (!(await isPortFree(HOST, port, { udp }))) {
    throw new DevnetError({ code: 'PORT_IN_USE', port, host: HOST, which });
  }
  reservePort(port);
  return port;
}

function buildArgs(
  o: StartLodestarOptions,
  p: {
    chainDir: string;
    restPort: number;
    p2pPort: number;
    secondsPerSlot: number;
    stateFile: string | undefined;
  },
): string[] {
  const genesis = o.genesis ?? { kind: 'interop', validatorCount: 8 };
  const args = [
    'dev',
    '--dataDir',
    p.chainDir,
    '--params.SECONDS_PER_SLOT',
    String(p.secondsPerSlot),
    '--params.ALTAIR_FORK_EPOCH',
    String(o.altairForkEpoch ?? 0),
    '--rest.address',
    HOST,
    '--rest.port',
    String(p.restPort),
    '--rest.namespace',
    '*',
    '--server',
    `http://${HOST}:${p.restPort}`,
    '--discv5',
    'false',
    '--listenAddress',
    HOST,
    '--port',
    String(p.p2pPort),
    '--targetPeers',
    '0',
    '--logLevel',
    o.logLevel ?? 'info',
  ];
  for (const [name, value] of Object.entries(o.params ?? {})) args.push(`--params.${name}`, String(value));
  let range = o.startValidators;
  if (genesis.kind === 'interop') {
    args.push('--genesisValidators', String(genesis.validatorCount));
    if (genesis.genesisTimeSec !== undefined) args.push('--genesisTime', String(genesis.genesisTimeSec));
    if (genesis.eth1BlockHash !== undefined) args.push('--genesisEth1Hash', genesis.eth1BlockHash);
    if (range === undefined) range = { from: 0, to: genesis.validatorCount - 1 };
  } else {
    args.push('--genesisStateFile', resolve(p.stateFile ?? genesis.stateFile));
  }
  if (range) args.push('--startValidators', `${range.from}..${range.to}`);
  args.push(...(o.extraArgs ?? []));
  return args;
}

function validate(o: StartLodestarOptions): void {
  checkInteger('secondsPerSlot', o.secondsPerSlot, 1, 60);
  checkInteger('altairForkEpoch', o.altairForkEpoch, 0, 2 ** 32);
  checkInteger('restPort', o.restPort, 1, 65535);
  checkInteger('p2pPort', o.p2pPort, 1, 65535);
  checkInteger('startTimeoutMs', o.startTimeoutMs, 1, 3_600_000);
  if (o.preset !== undefined && o.preset !== 'minimal' && o.preset !== 'mainnet') {
    throw new DevnetError({
      code: 'INVALID_OPTION',
      option: 'preset',
      reason: `unknown preset ${String(o.preset)}`,
    });
  }
  const g = o.genesis;
  if (g?.kind === 'interop') {
    checkInteger('genesis.validatorCount', g.validatorCount, 1, 1_000_000);
    if (g.eth1BlockHash !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(g.eth1BlockHash)) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'genesis.eth1BlockHash',
        reason: 'expected 32 bytes hex',
      });
    }
  }
  const r = o.startValidators;
  if (r) {
    checkInteger('startValidators.from', r.from, 0, 1_000_000);
    checkInteger('startValidators.to', r.to, r.from, 1_000_000);
  }
}

async function waitForRest(
  restUrl: string,
  exited: Promise<LodestarExit>,
  deadline: number,
): Promise<'up' | 'exited' | 'timeout'> {
  let exitedNow = false;
  void exited.then(() => {
    exitedNow = true;
  });
  while (Date.now() < deadline) {
    if (exitedNow) return 'exited';
    try {
      const res = await fetch(`${restUrl}/eth/v1/node/health`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      // 200 ready, 206 syncing: either way the API answers.
      if (res.status === 200 || res.status === 206) return 'up';
    } catch {
      // not listening yet
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
  }
  return exitedNow ? 'exited' : 'timeout';
}

function isHex(value: unknown): value is `0x${string}` {
  return typeof value === 'string' && /^0x[0-9a-fA-F]*$/.test(value);
}

async function readGenesisInfo(restUrl: string): Promise<LodestarGenesisInfo> {
  const res = await fetch(`${restUrl}/eth/v1/beacon/genesis`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data?: Record<string, unknown> };
  const d = body.data;
  if (
    !res.ok ||
    !d ||
    typeof d.genesis_time !== 'string' ||
    !isHex(d.genesis_validators_root) ||
    !isHex(d.genesis_fork_version)
  ) {
    throw new Error(`unexpected /eth/v1/beacon/genesis answer (HTTP ${res.status})`);
  }
  return {
    genesisTimeSec: Number(d.genesis_time),
    genesisValidatorsRoot: d.genesis_validators_root,
    genesisForkVersion: d.genesis_fork_version,
  };
}

/** Starts Lodestar and resolves once its REST API answers. */
export async function startLodestar(options: StartLodestarOptions = {}): Promise<LodestarNode> {
  validate(options);
  installExitHook();
  const binary = resolve(options.binary ?? defaultLodestarBinary());
  const runWithNode = /\.[cm]?js$/.test(binary);
  await checkBinary(binary, runWithNode);
  const preset = options.preset ?? 'minimal';
  const secondsPerSlot = options.secondsPerSlot ?? 2;
  const genesis = options.genesis ?? { kind: 'interop', validatorCount: 8 };

  const restPort = await choosePort('rest', options.restPort);
  const p2pPort = await choosePort('p2p', options.p2pPort);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'diva-devnet-lodestar-')));
  await mkdir(dataDir, { recursive: true });
  const chainDir = join(dataDir, 'chain');
  const logFile = resolve(options.logFile ?? join(dataDir, 'lodestar.log'));
  let stateFile: string | undefined;
  if (genesis.kind === 'state') {
    stateFile = await prepareGenesisState(genesis, dataDir, secondsPerSlot);
  }
  const args = buildArgs(options, { chainDir, restPort, p2pPort, secondsPerSlot, stateFile });
  const command = runWithNode ? [options.nodeBinary ?? process.execPath, binary, ...args] : [binary, ...args];
  const restUrl = `http://${HOST}:${restPort}`;

  const log = await open(logFile, 'a');
  const startedAt = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(command[0]!, command.slice(1), {
      // `dev` writes genesis.ssz into its working directory.
      cwd: dataDir,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, LODESTAR_PRESET: preset, ...options.env },
    });
  } finally {
    await log.close();
  }
  liveChildren.add(child);
  const exited = new Promise<LodestarExit>((resolveExit) => {
    child.once('exit', (exitCode, signal) => {
      liveChildren.delete(child);
      resolveExit({ exitCode, signal });
    });
    child.once('error', () => {
      // spawn failure (the binary vanished, no permission): 'exit' may never come
      liveChildren.delete(child);
      resolveExit({ exitCode: null, signal: null });
    });
  });

  let stopping: Promise<LodestarStopResult> | undefined;
  const stop = (): Promise<LodestarStopResult> => {
    stopping ??= stopChild(child, exited, {
      firstTerm: options.stopTimeoutsMs?.firstTerm ?? FIRST_TERM_WAIT_MS,
      secondTerm: options.stopTimeoutsMs?.secondTerm ?? SECOND_TERM_WAIT_MS,
      kill: options.stopTimeoutsMs?.kill ?? KILL_WAIT_MS,
    }).finally(async () => {
      if (!options.keepChainData) await rm(chainDir, { recursive: true, force: true });
    });
    return stopping;
  };

  const status = await waitForRest(restUrl, exited, startedAt + (options.startTimeoutMs ?? 120_000));
  if (status !== 'up') {
    await stop();
    const exit = await exited;
    const tail = await logTail(logFile);
    if (status === 'exited') {
      const inUse = /EADDRINUSE[^\n]*?:(\d+)/.exec(tail);
      if (inUse) {
        const port = Number(inUse[1]);
        throw new DevnetError({
          code: 'PORT_IN_USE',
          port,
          host: HOST,
          which: port === restPort ? 'rest' : 'p2p',
          logTail: tail,
        });
      }
      throw new DevnetError({
        code: 'EARLY_EXIT',
        exitCode: exit.exitCode,
        signal: exit.signal,
        logFile,
        logTail: tail,
      });
    }
    throw new DevnetError({
      code: 'REST_TIMEOUT',
      restUrl,
      timeoutMs: options.startTimeoutMs ?? 120_000,
      logFile,
      logTail: tail,
    });
  }
  const startupMs = Date.now() - startedAt;
  let genesisInfo: LodestarGenesisInfo;
  try {
    genesisInfo = await readGenesisInfo(restUrl);
  } catch (cause) {
    await stop();
    throw new DevnetError(
      { code: 'EARLY_EXIT', exitCode: null, signal: null, logFile, logTail: await logTail(logFile) },
      { cause },
    );
  }

  let running = true;
  void exited.then(() => {
    running = false;
  });
  const node: LodestarNode = {
    pid: child.pid!,
    restUrl,
    restPort,
    p2pPort,
    dataDir,
    logFile,
    preset,
    secondsPerSlot,
    genesis: genesisInfo,
    startupMs,
    command,
    exited,
    get running() {
      return running;
    },
    readLog: async () => stripAnsi(await readFile(logFile, 'utf8')),
    stop: async () => {
      liveNodes.delete(node);
      return stop();
    },
    [Symbol.asyncDispose]: async () => {
      await node.stop();
    },
  };
  liveNodes.add(node);
  return node;
}

async function exitedWithin(exited: Promise<LodestarExit>, ms: number): Promise<LodestarExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<LodestarExit>,
  waits: { firstTerm: number; secondTerm: number; kill: number },
): Promise<LodestarStopResult> {
  const start = Date.now();
  const done = (exit: LodestarExit, how: LodestarStopResult['how']): LodestarStopResult => ({
    ...exit,
    how,
    stopMs: Date.now() - start,
  });
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return done(await exited, 'already-exited');
  }
  child.kill('SIGTERM');
  let exit = await exitedWithin(exited, waits.firstTerm);
  if (exit) return done(exit, 'sigterm');
  child.kill('SIGTERM');
  exit = await exitedWithin(exited, waits.secondTerm);
  if (exit) return done(exit, 'second-sigterm');
  child.kill('SIGKILL');
  exit = await exitedWithin(exited, waits.kill);
  if (exit) return done(exit, 'sigkill');
  throw new DevnetError({
    code: 'STOP_FAILED',
    pid: child.pid,
    reason: `still running ${Date.now() - start} ms after SIGKILL`,
  });
}

/** Starts a node, runs `fn` with it and stops the node whatever `fn` does. */
export async function withLodestar<T>(
  options: StartLodestarOptions,
  fn: (node: LodestarNode) => Promise<T>,
): Promise<T> {
  const node = await startLodestar(options);
  try {
    return await fn(node);
  } finally {
    await node.stop();
  }
}

/** Stops every node this process started and has not stopped yet (for afterAll hooks). */
export async function stopAllLodestarNodes(): Promise<void> {
  await Promise.all([...liveNodes].map((n) => n.stop()));
}
