// diva-node's configuration file (JSON): parsed and checked field by field, so that a mistake is
// reported as `<file>: <field>: <what was expected>` before anything starts. Relative paths are
// resolved against the file's directory. The reference is in the README ("Configuration").
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DivaNodeError } from './errors.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface NodeConfig {
  /** Holds the lock file and the slashing-protection database. */
  readonly dataDir: string;
  /** Beacon node REST URLs, in order of preference. */
  readonly beaconNodes: readonly string[];
  /** The cluster file (committees of the validators served); exactly one of this and `contracts`. */
  readonly cluster: string | undefined;
  /** Committees from the Diva contracts, and the lifecycle they drive (./contracts.ts). */
  readonly contracts: ContractsConfig | undefined;
  /** Reloads the cluster file when it changes. */
  readonly watchCluster: boolean;
  readonly keys: { readonly dir: string; readonly passwordFile: string };
  readonly p2p: { readonly listen: readonly string[] };
  /** Metrics (/metrics), /health and /readiness; `port` 0 picks a free one. */
  readonly http:
    | {
        readonly host: string;
        readonly port: number;
        /** Serve `POST /exit` (committee-signed voluntary exits, `diva-node exit`). */
        readonly exits: boolean;
        /** Serve the operator dashboard at `/dashboard` (./dashboard/). */
        readonly dashboard: boolean;
      }
    | undefined;
  readonly log: { readonly level: LogLevel };
  /** Up to 32 bytes of UTF-8 put in proposed blocks. */
  readonly graffiti: string | undefined;
  readonly consensus: {
    readonly roundTimeoutMs: number | undefined;
    /**
     * The chain id and EvidenceSlasher address PROPOSALs are signed for (EIP-712), so that a leader's
     * equivocation can be proven on chain; every member of a committee must set the same.
     */
    readonly evidence: { readonly chainId: number; readonly contract: `0x${string}` } | undefined;
  };
  /** Serve the Web3Signer API to a stock validator client, backed by the committee. */
  readonly web3signer: Web3SignerConfig | undefined;
  /**
   * Fault injection for devnets and tests (`devnet --fault equivocate:...`): `equivocateAsLeader`
   * makes this node a Byzantine round-1 leader that proposes two values. Its operator gets slashed
   * and ejected; never set it on a real network. `isolateOnSignalMs`: on SIGUSR2 the node cuts
   * itself off from every p2p peer for that long (a partition of this node; `devnet --fault chaos`).
   */
  readonly faultInjection:
    | { readonly equivocateAsLeader: boolean; readonly isolateOnSignalMs: number | undefined }
    | undefined;
}

export interface ContractsConfig {
  /** JSON-RPC URLs of the execution chain, tried in order. */
  readonly rpcUrls: readonly string[];
  readonly chainId: number;
  /** The deployment's addresses (what `deployDiva` returns) and its first block. */
  readonly addresses: {
    readonly operatorRegistry: `0x${string}`;
    readonly committeeDraw: `0x${string}`;
    readonly divETH: `0x${string}`;
    readonly dkgResultRegistry: `0x${string}`;
    readonly exitRequests: `0x${string}` | undefined;
    readonly depositContract: `0x${string}` | undefined;
    /** Every validator's fee recipient (the protocol's execution-layer rewards vault). */
    readonly executionRewardsVault: `0x${string}` | undefined;
    /** Where leader equivocations are proven (and what consensus proposals are signed for). */
    readonly evidenceSlasher: `0x${string}` | undefined;
    /** Reporting committees (quorums beyond K active seats): keepers draw them. */
    readonly accounting: `0x${string}` | undefined;
    /** Keepers finalize its requests once a report and the buffer allow. */
    readonly withdrawalQueue: `0x${string}` | undefined;
    /**
     * Devnets whose beacon chain has no withdrawals (altair) only: the contract that plays the sweep;
     * reports count what it sent divETH.
     */
    readonly withdrawalSweepEmulator: `0x${string}` | undefined;
    readonly fromBlock: bigint;
  };
  /** Run the keepers (draws, reports, ejections) in this node (default true). */
  readonly keepers: boolean;
  /** How often the chain is read (ms, default 2,000). */
  readonly pollingIntervalMs: number;
  /**
   * Before the beacon chain exists, confirm a validator's withdrawal credentials (the 31 ETH top-up)
   * with the index the deposit contract's log order gives it at genesis. Only for networks whose
   * genesis is built from that deposit contract's logs (devnets); default false.
   */
  readonly preGenesisIndices: boolean;
  /** Ceremonies write share keystores with a fast KDF (devnets: their keys protect nothing); default false. */
  readonly fastKeystores: boolean;
}

export interface Web3SignerConfig {
  readonly host: string;
  readonly port: number;
  /**
   * The validators the external client drives (lower-case 0x hex group keys), or all served; the
   * built-in validator client skips them.
   */
  readonly validators: 'all' | readonly `0x${string}`[];
  /** Blocks must prove paying this fee recipient (20 bytes, 0x hex), when the client sends proofs. */
  readonly feeRecipient: `0x${string}` | undefined;
}

type Json = Record<string, unknown>;

class Reader {
  readonly #file: string;
  readonly #base: string;
  constructor(file: string) {
    this.#file = file;
    this.#base = dirname(resolve(file));
  }

  fail(field: string, reason: string): never {
    throw new DivaNodeError({ code: 'INVALID_CONFIG', file: this.#file, field, reason });
  }

  object(v: unknown, field: string, allowed: readonly string[]): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(field || '(top level)', 'expected an object');
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k))
        this.fail(field ? `${field}.${k}` : k, `unknown field (expected one of: ${allowed.join(', ')})`);
    }
    return v as Json;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string' || v.length === 0) this.fail(field, 'expected a non-empty string');
    return v;
  }

  path(v: unknown, field: string): string {
    return resolve(this.#base, this.string(v, field));
  }

  strings(v: unknown, field: string, check?: (s: string) => string | undefined): string[] {
    if (!Array.isArray(v) || v.length === 0) this.fail(field, 'expected a non-empty array of strings');
    return v.map((x, i) => {
      const s = this.string(x, `${field}[${i}]`);
      const problem = check?.(s);
      if (problem !== undefined) this.fail(`${field}[${i}]`, problem);
      return s;
    });
  }

  integer(v: unknown, field: string, min: number, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, `expected an integer from ${min} to ${max}`);
    }
    return v;
  }
}

const httpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'expected an http(s) URL';
  } catch {
    return 'expected an http(s) URL';
  }
};

const multiaddr = (s: string) =>
  /^\/(ip4|ip6|dns4|dns6|dns)\/[^/]+\/tcp\/\d{1,5}$/.test(s)
    ? undefined
    : 'expected a TCP multiaddr like /ip4/0.0.0.0/tcp/9000';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Checks a parsed configuration; `file` names it in errors and anchors relative paths. */
export function parseNodeConfig(json: unknown, file: string): NodeConfig {
  const r = new Reader(file);
  const top = r.object(json, '', [
    'dataDir',
    'beaconNodes',
    'cluster',
    'watchCluster',
    'keys',
    'p2p',
    'http',
    'log',
    'graffiti',
    'consensus',
    'web3signer',
    'contracts',
    'faultInjection',
  ]);
  if ((top.cluster === undefined) === (top.contracts === undefined))
    r.fail('cluster', 'expected exactly one of `cluster` (a cluster file) and `contracts`');
  const keys = r.object(top.keys, 'keys', ['dir', 'passwordFile']);
  const p2p = r.object(top.p2p, 'p2p', ['listen']);
  const http =
    top.http === undefined ? undefined : r.object(top.http, 'http', ['host', 'port', 'exits', 'dashboard']);
  if (http?.exits !== undefined && typeof http.exits !== 'boolean')
    r.fail('http.exits', 'expected true or false');
  if (http?.dashboard !== undefined && typeof http.dashboard !== 'boolean')
    r.fail('http.dashboard', 'expected true or false');
  const log = top.log === undefined ? {} : r.object(top.log, 'log', ['level']);
  const consensus =
    top.consensus === undefined ? {} : r.object(top.consensus, 'consensus', ['roundTimeoutMs', 'evidence']);
  const evidence =
    consensus.evidence === undefined
      ? undefined
      : r.object(consensus.evidence, 'consensus.evidence', ['chainId', 'contract']);
  const contract =
    evidence === undefined ? undefined : r.string(evidence.contract, 'consensus.evidence.contract');
  if (contract !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(contract))
    r.fail('consensus.evidence.contract', 'expected a 20-byte 0x address');
  const level = log.level === undefined ? 'info' : r.string(log.level, 'log.level');
  if (!LEVELS.includes(level as LogLevel)) r.fail('log.level', `expected one of ${LEVELS.join(', ')}`);
  const graffiti = top.graffiti === undefined ? undefined : r.string(top.graffiti, 'graffiti');
  if (graffiti !== undefined && Buffer.byteLength(graffiti) > 32)
    r.fail('graffiti', 'at most 32 bytes of UTF-8');
  if (top.watchCluster !== undefined && typeof top.watchCluster !== 'boolean') {
    r.fail('watchCluster', 'expected true or false');
  }
  const web3signer = top.web3signer === undefined ? undefined : parseWeb3Signer(r, top.web3signer);
  const chain = top.contracts === undefined ? undefined : parseContracts(r, top.contracts);
  const slasher = chain?.addresses.evidenceSlasher;
  if (slasher !== undefined && contract !== undefined && contract.toLowerCase() !== slasher)
    r.fail('consensus.evidence.contract', `differs from contracts.addresses.evidenceSlasher (${slasher})`);
  return {
    web3signer,
    faultInjection: top.faultInjection === undefined ? undefined : parseFaults(r, top.faultInjection),
    dataDir: r.path(top.dataDir, 'dataDir'),
    beaconNodes: r.strings(top.beaconNodes, 'beaconNodes', httpUrl),
    cluster: top.cluster === undefined ? undefined : r.path(top.cluster, 'cluster'),
    contracts: chain,
    watchCluster: top.watchCluster === true,
    keys: {
      dir: r.path(keys.dir, 'keys.dir'),
      passwordFile: r.path(keys.passwordFile, 'keys.passwordFile'),
    },
    p2p: { listen: r.strings(p2p.listen, 'p2p.listen', multiaddr) },
    http:
      http === undefined
        ? undefined
        : {
            host: r.string(http.host ?? '127.0.0.1', 'http.host'),
            port: r.integer(http.port, 'http.port', 0, 65_535),
            exits: http.exits === true,
            dashboard: http.dashboard === true,
          },
    log: { level: level as LogLevel },
    graffiti,
    consensus: {
      roundTimeoutMs:
        consensus.roundTimeoutMs === undefined
          ? undefined
          : r.integer(consensus.roundTimeoutMs, 'consensus.roundTimeoutMs', 50, 60_000),
      evidence:
        evidence === undefined || contract === undefined
          ? undefined
          : {
              chainId: r.integer(evidence.chainId, 'consensus.evidence.chainId', 1, Number.MAX_SAFE_INTEGER),
              contract: contract.toLowerCase() as `0x${string}`,
            },
    },
  };
}

const address = (s: string) =>
  /^0x[0-9a-fA-F]{40}$/.test(s) ? undefined : 'expected an address: 0x and 40 hex digits';

function parseContracts(r: Reader, v: unknown): ContractsConfig {
  const c = r.object(v, 'contracts', [
    'rpcUrls',
    'chainId',
    'addresses',
    'keepers',
    'pollingIntervalMs',
    'preGenesisIndices',
    'fastKeystores',
  ]);
  const names = [
    'operatorRegistry',
    'committeeDraw',
    'divETH',
    'dkgResultRegistry',
    'exitRequests',
    'depositContract',
    'executionRewardsVault',
    'evidenceSlasher',
    'accounting',
    'withdrawalQueue',
    'withdrawalSweepEmulator',
  ] as const;
  const a = r.object(c.addresses, 'contracts.addresses', [...names, 'fromBlock']);
  const addressAt = (name: (typeof names)[number], required: boolean) => {
    const field = `contracts.addresses.${name}`;
    if (a[name] === undefined) return required ? r.fail(field, 'required') : undefined;
    const s = r.string(a[name], field);
    const problem = address(s);
    if (problem !== undefined) r.fail(field, problem);
    return s.toLowerCase() as `0x${string}`;
  };
  for (const flag of ['keepers', 'preGenesisIndices', 'fastKeystores'] as const) {
    if (c[flag] !== undefined && typeof c[flag] !== 'boolean')
      r.fail(`contracts.${flag}`, 'expected true or false');
  }
  return {
    rpcUrls: r.strings(c.rpcUrls, 'contracts.rpcUrls', httpUrl),
    chainId: r.integer(c.chainId, 'contracts.chainId', 1, Number.MAX_SAFE_INTEGER),
    addresses: {
      operatorRegistry: addressAt('operatorRegistry', true)!,
      committeeDraw: addressAt('committeeDraw', true)!,
      divETH: addressAt('divETH', true)!,
      dkgResultRegistry: addressAt('dkgResultRegistry', true)!,
      exitRequests: addressAt('exitRequests', false),
      depositContract: addressAt('depositContract', false),
      executionRewardsVault: addressAt('executionRewardsVault', false),
      evidenceSlasher: addressAt('evidenceSlasher', false),
      accounting: addressAt('accounting', false),
      withdrawalQueue: addressAt('withdrawalQueue', false),
      withdrawalSweepEmulator: addressAt('withdrawalSweepEmulator', false),
      fromBlock: BigInt(r.integer(a.fromBlock, 'contracts.addresses.fromBlock', 0, Number.MAX_SAFE_INTEGER)),
    },
    keepers: c.keepers !== false,
    pollingIntervalMs:
      c.pollingIntervalMs === undefined
        ? 2000
        : r.integer(c.pollingIntervalMs, 'contracts.pollingIntervalMs', 100, 600_000),
    preGenesisIndices: c.preGenesisIndices === true,
    fastKeystores: c.fastKeystores === true,
  };
}

function parseFaults(r: Reader, v: unknown): NonNullable<NodeConfig['faultInjection']> {
  const f = r.object(v, 'faultInjection', ['equivocateAsLeader', 'isolateOnSignalMs']);
  if (f.equivocateAsLeader !== undefined && typeof f.equivocateAsLeader !== 'boolean')
    r.fail('faultInjection.equivocateAsLeader', 'expected true or false');
  return {
    equivocateAsLeader: f.equivocateAsLeader === true,
    isolateOnSignalMs:
      f.isolateOnSignalMs === undefined
        ? undefined
        : r.integer(f.isolateOnSignalMs, 'faultInjection.isolateOnSignalMs', 1, 3_600_000),
  };
}

function parseWeb3Signer(r: Reader, v: unknown): Web3SignerConfig {
  const w = r.object(v, 'web3signer', ['host', 'port', 'validators', 'feeRecipient']);
  let validators: Web3SignerConfig['validators'];
  if (w.validators === 'all') validators = 'all';
  else if (Array.isArray(w.validators)) {
    validators = r
      .strings(w.validators, 'web3signer.validators', (s) =>
        /^0x[0-9a-fA-F]{96}$/.test(s) ? undefined : 'expected a validator public key: 0x and 96 hex digits',
      )
      .map((s) => s.toLowerCase() as `0x${string}`);
  } else {
    r.fail('web3signer.validators', 'expected "all" or a non-empty array of validator public keys');
  }
  let feeRecipient: `0x${string}` | undefined;
  if (w.feeRecipient !== undefined) {
    const f = r.string(w.feeRecipient, 'web3signer.feeRecipient');
    if (!/^0x[0-9a-fA-F]{40}$/.test(f))
      r.fail('web3signer.feeRecipient', 'expected an address: 0x and 40 hex digits');
    feeRecipient = f.toLowerCase() as `0x${string}`;
  }
  return {
    host: r.string(w.host ?? '127.0.0.1', 'web3signer.host'),
    port: r.integer(w.port, 'web3signer.port', 0, 65_535),
    validators,
    feeRecipient,
  };
}

/** Reads and checks a configuration file. */
export async function readNodeConfig(file: string): Promise<NodeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DivaNodeError(
      { code: 'CONFIG_UNREADABLE', file, reason: (cause as NodeJS.ErrnoException).code ?? 'unreadable' },
      { cause },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new DivaNodeError({
      code: 'CONFIG_UNREADABLE',
      file,
      reason: `not JSON (${(cause as Error).message})`,
    });
  }
  return parseNodeConfig(json, file);
}
