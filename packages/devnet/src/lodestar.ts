// Starts a Lodestar beacon node (`lodestar dev`: beacon node plus, optionally, its own validator
// client with interop keys) as a child process on free loopback ports, waits until its REST API
// answers, writes its stdout and stderr to a log file, and stops it: two SIGTERMs 3 s apart (the
// first starts a graceful stop that Lodestar 1.5.1 often never finishes), then SIGKILL. Every node
// still running when this process exits is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DevnetError } from './errors.ts';
import {
  buildArgs,
  checkBinary,
  HOST,
  prepareGenesisState,
  writePresetModule,
  writeSingleNodeModule,
} from './internal/command.ts';
import { validateOptions } from './internal/options.ts';
import { readGenesisInfo, waitForRest } from './internal/rest.ts';
import type {
  LodestarExit,
  LodestarGenesisInfo,
  LodestarNode,
  LodestarStopResult,
  StartLodestarOptions,
} from './lodestar-types.ts';
import { allocatePort, isPortFree, reservePort } from './ports.ts';

export type {
  LodestarEth1,
  LodestarExit,
  LodestarGenesis,
  LodestarGenesisInfo,
  LodestarNode,
  LodestarPreset,
  LodestarStopResult,
  StartLodestarOptions,
} from './lodestar-types.ts';

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

async function choosePort(which: 'rest' | 'p2p', port: number | undefined): Promise<number> {
  const udp = which === 'p2p';
  if (port === undefined) return allocatePort(HOST, { udp });
  if (!(await isPortFree(HOST, port, { udp }))) {
    throw new DevnetError({ code: 'PORT_IN_USE', port, host: HOST, which });
  }
  reservePort(port);
  return port;
}

/** Starts Lodestar and resolves once its REST API answers. */
export async function startLodestar(options: StartLodestarOptions = {}): Promise<LodestarNode> {
  validateOptions(options);
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
  let genesisTimeSec: number | undefined;
  if (genesis.kind === 'state') {
    ({ file: stateFile, genesisTimeSec } = await prepareGenesisState(
      genesis,
      dataDir,
      secondsPerSlot,
      options.resume,
    ));
  }
  const args = buildArgs(options, { chainDir, restPort, p2pPort, secondsPerSlot, stateFile, genesisTimeSec });
  const nodeArgs: string[] = [];
  if (options.presetOverrides !== undefined && Object.keys(options.presetOverrides).length > 0) {
    if (!runWithNode) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'presetOverrides',
        reason: 'needs a .js Lodestar binary (run with Node)',
      });
    }
    nodeArgs.push('--import', await writePresetModule(binary, preset, options.presetOverrides, dataDir));
  }
  // after the preset module: this one loads Lodestar's modules, which freeze the preset
  if (options.resume) {
    // `lodestar dev` keeps its beacon database in chain-db and the validators' in validator-db
    await rm(join(chainDir, 'chain-db'), { recursive: true, force: true });
    if (!runWithNode) {
      throw new DevnetError({
        code: 'INVALID_OPTION',
        option: 'resume',
        reason: 'needs a .js Lodestar binary (run with Node)',
      });
    }
    nodeArgs.push('--import', await writeSingleNodeModule(binary, dataDir));
  }
  const command = runWithNode
    ? [options.nodeBinary ?? process.execPath, ...nodeArgs, binary, ...args]
    : [binary, ...args];
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
