// How the Lodestar child is launched: its command line, the genesis state file it starts from, the
// binary check, and the module that changes preset values before Lodestar loads them.
import { constants as fsConstants } from 'node:fs';
import { access, readFile, realpath, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DevnetError } from '../errors.ts';
import type { StartLodestarOptions } from '../lodestar-types.ts';
import { checkInteger } from './options.ts';

export const HOST = '127.0.0.1';

/**
 * Writes the module that sets Lodestar's preset with `overrides` before Lodestar loads
 * @lodestar/params (which freezes it), and answers its file URL for `node --import`. The
 * @lodestar/params it imports is the one beside the binary's package (pnpm's layout), resolved to
 * its real path so that it is the very module Lodestar's packages load.
 */
export async function writePresetModule(
  binary: string,
  preset: string,
  overrides: Readonly<Record<string, number>>,
  dataDir: string,
): Promise<string> {
  const setPreset = await besideBinary(binary, 'params', 'lib/setPreset.js', 'presetOverrides');
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

/**
 * The real path of `file` in the @lodestar package `pkg` beside the binary's package (pnpm's
 * layout): the very module Lodestar's packages load.
 */
async function besideBinary(binary: string, pkg: string, file: string, option: string): Promise<string> {
  const marker = `${sep}node_modules${sep}`;
  const at = binary.lastIndexOf(marker);
  const missing = { code: 'INVALID_OPTION', option, reason: `no @lodestar/${pkg} beside ${binary}` } as const;
  if (at < 0) throw new DevnetError(missing);
  try {
    return await realpath(join(binary.slice(0, at + marker.length), '@lodestar', pkg, ...file.split('/')));
  } catch (cause) {
    throw new DevnetError(missing, { cause });
  }
}

/**
 * Writes the module (for `node --import`) that lets a resumed single node count itself synced when
 * its head is more than an epoch behind the clock and it has no peer to sync from. Lodestar 1.5.1
 * calls that state "stalled" and its validator API refuses every duty then, so a devnet stopped for
 * longer than an epoch could never produce the block that would end it. With `--sync.isSingleNode`
 * (which `lodestar dev` sets) the module answers "synced" instead; every other state is unchanged.
 */
export async function writeSingleNodeModule(binary: string, dataDir: string): Promise<string> {
  const sync = await besideBinary(binary, 'beacon-node', 'lib/sync/sync.js', 'resume');
  const states = await besideBinary(binary, 'beacon-node', 'lib/sync/interface.js', 'resume');
  const file = join(dataDir, 'lodestar-single-node.mjs');
  const source = [
    '// Written by @diva-dvt/devnet (startLodestar with resume): a single node with no peer to sync',
    '// from, stopped for longer than an epoch, counts itself synced instead of stalled.',
    `import { BeaconSync } from ${JSON.stringify(pathToFileURL(sync).href)};`,
    `import { SyncState } from ${JSON.stringify(pathToFileURL(states).href)};`,
    "const stateOf = Object.getOwnPropertyDescriptor(BeaconSync.prototype, 'state').get;",
    "Object.defineProperty(BeaconSync.prototype, 'state', {",
    '  configurable: true,',
    '  get() {',
    '    const state = stateOf.call(this);',
    '    return state === SyncState.Stalled && this.opts.isSingleNode ? SyncState.Synced : state;',
    '  },',
    '});',
    '',
  ].join('\n');
  await writeFile(file, source);
  return pathToFileURL(file).href;
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
export async function prepareGenesisState(
  genesis: { stateFile: string; genesisTimeSec?: number },
  dataDir: string,
  secondsPerSlot: number,
  resume = false,
): Promise<{ file: string; genesisTimeSec: number }> {
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
  // a resumed node starts from its database: its genesis has passed
  if (!resume && genesisTimeSec + 2 * secondsPerSlot < nowSec) {
    throw new DevnetError({ code: 'GENESIS_IN_PAST', genesisTimeSec, nowSec, stateFile: genesis.stateFile });
  }
  return { file, genesisTimeSec };
}

export async function checkBinary(binary: string, runWithNode: boolean): Promise<void> {
  try {
    const info = await stat(binary);
    if (!info.isFile()) throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary });
    await access(binary, runWithNode ? fsConstants.R_OK : fsConstants.X_OK);
  } catch (cause) {
    throw new DevnetError({ code: 'BINARY_NOT_FOUND', binary }, { cause });
  }
}

export function buildArgs(
  o: StartLodestarOptions,
  p: {
    chainDir: string;
    restPort: number;
    p2pPort: number;
    secondsPerSlot: number;
    stateFile: string | undefined;
    /** With `resume`: keeps `lodestar dev` from deleting the database it restarts on. */
    genesisTimeSec?: number | undefined;
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
    if (o.resume && p.genesisTimeSec !== undefined) args.push('--genesisTime', String(p.genesisTimeSec));
  }
  if (range) args.push('--startValidators', `${range.from}..${range.to}`);
  args.push(...(o.extraArgs ?? []));
  return args;
}
