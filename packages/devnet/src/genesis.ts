// Genesis states from deposit data, built by Lodestar 1.5.1's own state transition
// (`initializeBeaconStateFromEth1`, the spec's initialize_beacon_state_from_eth1) with the deposit
// tree built in memory, then given a genesis time of our choice. The build runs in a child process
// (internal/genesis-worker) so that its preset does not depend on, or leak into, this process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DevnetError } from './errors.ts';
import type { GenesisWorkerInput, GenesisWorkerOutput } from './internal/genesis-worker.ts';
import type { LodestarPreset } from './lodestar.ts';

/** GENESIS_FORK_VERSION of each preset's default chain config: the fork version deposits are signed with. */
export const GENESIS_FORK_VERSIONS: Readonly<Record<LodestarPreset, Uint8Array>> = {
  mainnet: Uint8Array.of(0, 0, 0, 0),
  minimal: Uint8Array.of(0, 0, 0, 1),
};

export interface GenesisDeposit {
  pubkey: Uint8Array;
  withdrawalCredentials: Uint8Array;
  amountGwei: bigint;
  signature: Uint8Array;
}

export interface BuildGenesisStateOptions {
  deposits: readonly GenesisDeposit[];
  /** Must lie in the future when the node starts (Lodestar does not start from an old genesis). */
  genesisTimeSec: number;
  /** Where the SSZ BeaconState is written. */
  outFile: string;
  /** Default `minimal`. */
  preset?: LodestarPreset;
  /** Default 0; must equal the node's. */
  altairForkEpoch?: number;
  /** More chain-config values in their JSON form (as `/eth/v1/config/spec` gives them). */
  params?: Readonly<Record<string, string | number>>;
  /** Seeds the RANDAO mixes, so it fixes the proposers of epochs 0 and 1. Default sha256("diva-devnet"). */
  eth1BlockHash?: Uint8Array;
  eth1TimestampSec?: number;
  /**
   * Search eth1 block hashes (sha256 chain from `eth1BlockHash`) until `validatorIndex` proposes in
   * a slot of [fromSlot, toSlot] (within epochs 0 and 1), so a test can rely on that proposal.
   */
  proposerSearch?: { validatorIndex: number; fromSlot: number; toSlot: number; maxAttempts?: number };
  /** Node.js that runs the build (>= 22.18, it runs the .ts worker when used from source). */
  nodeBinary?: string;
  /** Default 180 000 ms (a few seconds on an idle machine; much more on a loaded one). */
  timeoutMs?: number;
}

export interface GenesisValidator {
  pubkey: Uint8Array;
  withdrawalCredentials: Uint8Array;
  effectiveBalanceGwei: bigint;
  balanceGwei: bigint;
}

export interface GenesisState {
  stateFile: string;
  preset: LodestarPreset;
  genesisTimeSec: number;
  genesisValidatorsRoot: Uint8Array;
  /** The state's fork version (altair's when altair starts at genesis). */
  forkVersion: Uint8Array;
  eth1BlockHash: Uint8Array;
  depositRoot: Uint8Array;
  depositCount: number;
  /** The registry: one entry per deposit with a new pubkey and a valid signature. */
  validators: GenesisValidator[];
  /** Proposer index of each slot of epochs 0 and 1. */
  proposers: number[];
}

const toHex = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`;
const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

function invalid(option: string, reason: string): DevnetError {
  return new DevnetError({ code: 'INVALID_OPTION', option, reason });
}

function validate(o: BuildGenesisStateOptions): void {
  if (o.deposits.length === 0) throw invalid('deposits', 'at least one deposit is needed');
  o.deposits.forEach((d, i) => {
    if (d.pubkey.length !== 48)
      throw invalid(`deposits[${i}].pubkey`, `expected 48 bytes, got ${d.pubkey.length}`);
    if (d.withdrawalCredentials.length !== 32) {
      throw invalid(
        `deposits[${i}].withdrawalCredentials`,
        `expected 32 bytes, got ${d.withdrawalCredentials.length}`,
      );
    }
    if (d.signature.length !== 96)
      throw invalid(`deposits[${i}].signature`, `expected 96 bytes, got ${d.signature.length}`);
    if (d.amountGwei <= 0n || d.amountGwei >= 2n ** 64n)
      throw invalid(`deposits[${i}].amountGwei`, 'out of uint64 range');
  });
  if (!Number.isInteger(o.genesisTimeSec) || o.genesisTimeSec < 0) {
    throw invalid('genesisTimeSec', `expected a unix time in seconds, got ${o.genesisTimeSec}`);
  }
  if (o.eth1BlockHash !== undefined && o.eth1BlockHash.length !== 32)
    throw invalid('eth1BlockHash', 'expected 32 bytes');
}

/** Builds a genesis state from deposit data and writes it to `outFile`. */
export async function buildGenesisState(options: BuildGenesisStateOptions): Promise<GenesisState> {
  validate(options);
  const preset = options.preset ?? 'minimal';
  const chainConfig: Record<string, string> = { ALTAIR_FORK_EPOCH: String(options.altairForkEpoch ?? 0) };
  for (const [k, v] of Object.entries(options.params ?? {})) chainConfig[k] = String(v);
  const search = options.proposerSearch;
  const input: GenesisWorkerInput = {
    preset,
    chainConfig,
    deposits: options.deposits.map((d) => ({
      pubkey: toHex(d.pubkey),
      withdrawalCredentials: toHex(d.withdrawalCredentials),
      amountGwei: d.amountGwei.toString(),
      signature: toHex(d.signature),
    })),
    genesisTimeSec: options.genesisTimeSec,
    eth1BlockHash: toHex(options.eth1BlockHash ?? createHash('sha256').update('diva-devnet').digest()),
    eth1TimestampSec: options.eth1TimestampSec ?? options.genesisTimeSec,
    outFile: options.outFile,
    ...(search ? { proposerSearch: { ...search, maxAttempts: search.maxAttempts ?? 64 } } : {}),
  };
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const worker = new URL(`./internal/genesis-worker${ext}`, import.meta.url);
  const out = await runWorker(
    options.nodeBinary ?? process.execPath,
    worker,
    input,
    preset,
    options.timeoutMs ?? 180_000,
  );
  return {
    stateFile: options.outFile,
    preset,
    genesisTimeSec: out.genesisTimeSec,
    genesisValidatorsRoot: fromHex(out.genesisValidatorsRoot),
    forkVersion: fromHex(out.forkVersion),
    eth1BlockHash: fromHex(out.eth1BlockHash),
    depositRoot: fromHex(out.depositRoot),
    depositCount: out.depositCount,
    validators: out.validators.map((v) => ({
      pubkey: fromHex(v.pubkey),
      withdrawalCredentials: fromHex(v.withdrawalCredentials),
      effectiveBalanceGwei: BigInt(v.effectiveBalanceGwei),
      balanceGwei: BigInt(v.balanceGwei),
    })),
    proposers: out.proposers,
  };
}

function runWorker(
  nodeBinary: string,
  worker: URL,
  input: GenesisWorkerInput,
  preset: LodestarPreset,
  timeoutMs: number,
): Promise<GenesisWorkerOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(nodeBinary, ['--no-warnings', worker.pathname], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, LODESTAR_PRESET: preset },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const fail = (reason: string, cause?: unknown) =>
      reject(
        new DevnetError(
          {
            code: 'GENESIS_BUILD_FAILED',
            reason,
            stderrTail: stderr.trimEnd().split('\n').slice(-20).join('\n'),
          },
          cause === undefined ? undefined : { cause },
        ),
      );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(`no result within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(`cannot run ${nodeBinary}`, err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return fail(`worker exited with code ${code}`);
      try {
        resolvePromise(JSON.parse(stdout) as GenesisWorkerOutput);
      } catch (err) {
        fail('worker printed no valid JSON', err);
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}
