// A devnet's data directory remembers what the next run needs to resume it (`devnet.json`): the
// network's shape, the ports the operators registered on chain, Anvil's port, the deployment's
// extras, the beacon genesis and whether the last run stopped cleanly. A clean stop leaves Anvil's
// state file, Lodestar's folder (its validator client's slashing protection) with the beacon chain's
// blocks saved beside it, and every operator's data; a second run without --fresh starts them all
// again where they were.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DivaNodeError } from '../errors.ts';
import type { DevnetOptions } from './options.ts';

export const MANIFEST_FILE = 'devnet.json';
/** Anvil's chain, written when Anvil stops and loaded when it starts again. */
export const ANVIL_STATE_FILE = 'anvil-state.json';
/** The beacon chain's blocks at the stop (in Lodestar's folder). */
export const BEACON_BLOCKS_FILE = 'beacon-blocks.json';

export interface DevnetManifest {
  readonly version: 1;
  readonly operators: number;
  readonly validators: number;
  readonly committeeSize: number;
  readonly threshold: number;
  readonly slotSeconds: number;
  /** The operators' p2p ports start here (registered on chain), their HTTP ports follow. */
  readonly basePort: number;
  readonly anvilPort?: number;
  readonly emulator?: `0x${string}`;
  readonly genesisTimeSec?: number;
  /** Runs so far on this directory (1 after the first). */
  readonly runs: number;
  /** Every process stopped in order, Anvil's state and the beacon blocks saved. */
  readonly stoppedCleanly: boolean;
}

/** The shape of the network: what a resumed run takes from the manifest, by flag. */
const SHAPE = [
  ['operators', 'operators'],
  ['validators', 'validators'],
  ['committee-size', 'committeeSize'],
  ['threshold', 'threshold'],
  ['slot-seconds', 'slotSeconds'],
] as const;

/** Flags that act once, at the first run. */
const FIRST_RUN_ONLY = ['late-validators', 'exit-request', 'direct'] as const;

export async function readManifest(dataDir: string): Promise<DevnetManifest | undefined> {
  const file = join(dataDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let m: Partial<DevnetManifest>;
  try {
    m = JSON.parse(text) as Partial<DevnetManifest>;
  } catch {
    throw invalid(`${file} is not JSON`);
  }
  for (const key of [
    'operators',
    'validators',
    'committeeSize',
    'threshold',
    'slotSeconds',
    'basePort',
    'runs',
  ] as const) {
    if (!Number.isInteger(m[key])) throw invalid(`${file}: ${key} is not an integer`);
  }
  if (m.version !== 1) throw invalid(`${file}: version ${String(m.version)}, expected 1`);
  return m as DevnetManifest;
}

export async function writeManifest(dataDir: string, m: DevnetManifest): Promise<void> {
  await writeFile(join(dataDir, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
}

/**
 * What a run does with its data directory: start a new network in an empty one, or resume the one
 * a previous run stopped cleanly (its shape from the manifest; a flag given that would change it, or
 * a first-run-only flag, is refused by name). Anything else is refused.
 */
export async function planDataDir(
  o: DevnetOptions,
): Promise<{ readonly options: DevnetOptions; readonly resume?: DevnetManifest }> {
  let entries: string[];
  try {
    entries = await readdir(o.dataDir);
  } catch {
    return { options: o };
  }
  if (entries.length === 0) return { options: o };
  const m = await readManifest(o.dataDir);
  if (m === undefined) {
    throw invalid(`${o.dataDir} is not empty and holds no ${MANIFEST_FILE} (pass --fresh to start over)`);
  }
  if (!m.stoppedCleanly || m.genesisTimeSec === undefined || m.anvilPort === undefined) {
    throw invalid(
      `the devnet in ${o.dataDir} did not stop cleanly or never reached its beacon chain, so it cannot be resumed (pass --fresh to start over)`,
    );
  }
  for (const flag of FIRST_RUN_ONLY) {
    if (o.given.includes(flag)) {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: `--${flag}`,
        reason: `acts at a devnet's first run; ${o.dataDir} holds one to resume (pass --fresh to start over)`,
      });
    }
  }
  const shape: Record<string, number> = {};
  for (const [flag, key] of SHAPE) {
    if (o.given.includes(flag) && o[key] !== m[key]) {
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: `--${flag}`,
        reason: `the devnet in ${o.dataDir} has ${m[key]} (pass --fresh to start over with ${o[key]})`,
      });
    }
    shape[key] = m[key];
  }
  return { options: { ...o, ...shape }, resume: m };
}

function invalid(reason: string): DivaNodeError {
  return new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: '--data-dir', reason });
}
