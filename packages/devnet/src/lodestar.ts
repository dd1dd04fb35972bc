// Starts a Lodestar beacon node (`lodestar dev`: beacon node plus, optionally, its own validator
// client with interop keys) as a child process on free loopback ports, waits until its REST API
// answers, writes its stdout and stderr to a log file, and stops it: two SIGTERMs 3 s apart (the
// first starts a graceful stop that Lodestar 1.5.1 often never finishes), then SIGKILL. Every node
// still running when this process exits is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, mkdtemp, open, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DevnetError } from './errors.ts';
import { checkInteger, validateOptions } from './internal/options.ts';
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

/**
 * Writes the module that sets Lodestar's preset with `overrides` before Lodestar loads
 * @lodestar/params (which freezes it), and answers its file URL for `node --import`. The
 * @lodestar/params it imports is the one beside the binary's package (pnpm's layout), resolved to
 * its real path so that it is the very module Lodestar's packages load.
 */
async function writePresetModule(
  binary: string,
  preset: string,
  overrides: Readonly<Record<string, number>>,
  dataDir: string,
): Promise<string> {
  const marker = `${sep}node_modules${sep}`;
  const at = binary.lastIndexOf(marker);
  const params = at < 0 ? undefined : join(binary.slice(0, at + marker.length), '@lodestar', 'params');
  const missing = {
    code: 'INVALID_OPTION',
    option: 'presetOverrides',
    reason: `no @lodestar/params beside ${binary}`,
  } as const;
  if (params === undefined) throw new DevnetError(missing);
  let setPreset: string;
  try {
    setPreset = await realpath(join(params, 'lib', 'setPreset.js'));
  } catch (cause) {
    throw new DevnetError(missing, { cause });
  }
  const file = join(dataDir, 'lodestar-preset.mjs');
  const source = [
    '// Written by @diva-dvt/devnet: the preset values this chain changes (see startLodestar).',
    `import { setActivePreset } from ${JSON.stringify(pathToFileURL(setPreset).href)};`,
    `setActivePreset(${JSON.stringify(preset)}, ${JSON.stringify(overrides)});`,
    // the values as Lodestar's modules will see them (importing the index freezes the preset)
    `const params = await import(${JSON.stringify(pathToFileURL(join(dirname(setPreset), 'index.js')).href)});`,
    `process.stderr.write(\`preset overrides in force: ${'$'}{Object.keys(${JSON.stringify(overrides)}).map((k) => \`${'$'}{k}=${'$'}{params[k]}\`).join(' ')}\\n\`);`,
    '',
  ].join('\n');
  await writeFile(file, source);
  return pathToFileURL(file).href;
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
    if (!info.isFile()) throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary });
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
  const eth1 = o.eth1;
  if (eth1 !== undefined) {
    args.push('--eth1', '--eth1.depositContractDeployBlock', String(eth1.deployBlock));
    for (const url of eth1.providerUrls) args.push('--eth1.providerUrls', url);
    const params: Record<string, number | string> = {
      DEPOSIT_CONTRACT_ADDRESS: eth1.depositContract,
      DEPOSIT_CHAIN_ID: eth1.chainId,
      DEPOSIT_NETWORK_ID: eth1.chainId,
      ETH1_FOLLOW_DISTANCE: eth1.followDistance ?? 64,
      SECONDS_PER_ETH1_BLOCK: eth1.secondsPerEth1Block ?? 1,
    };
    for (const [name, value] of Object.entries(params)) args.push(`--params.${name}`, String(value));
  }
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
  if (genesis.kind === 'state') {
    stateFile = await prepareGenesisState(genesis, dataDir, secondsPerSlot);
  }
  const args = buildArgs(options, { chainDir, restPort, p2pPort, secondsPerSlot, stateFile });
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
