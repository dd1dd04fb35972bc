// The launcher's public types: options, genesis choices, the running node and how it ended.
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

/**
 * Eth1 tracking of a deposit contract (`--eth1`): the node follows the contract's DepositEvent logs,
 * votes eth1 data and puts later deposits into blocks, so a validator deposited after genesis joins
 * the chain. Its genesis state must hold the contract's deposits (see `readChainDeposits`).
 */
export interface LodestarEth1 {
  /** JSON-RPC URLs of the execution node (e.g. Anvil's). */
  providerUrls: readonly string[];
  depositContract: `0x${string}`;
  /** The block the contract was deployed in (logs are read from there). */
  deployBlock: number;
  /** DEPOSIT_CHAIN_ID and DEPOSIT_NETWORK_ID. */
  chainId: number;
  /**
   * ETH1_FOLLOW_DISTANCE, default 64: Lodestar 1.5.1 never took deposits with 4 (its tracker polls
   * every 60 s and falls back to >= 64 blocks); with 64 and one block a second a deposit is active
   * about 4.3 minutes later.
   */
  followDistance?: number;
  /** SECONDS_PER_ETH1_BLOCK, default 1 (Anvil `--block-time 1`). */
  secondsPerEth1Block?: number;
}

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
  /**
   * Preset values changed from `preset`'s (for example `{ BASE_REWARD_FACTOR: 2 }`), set with
   * @lodestar/params' `setActivePreset` in a module Node imports before Lodestar (`--import`). Only
   * for a `.js` binary. Every node of one chain must use the same.
   */
  presetOverrides?: Readonly<Record<string, number>>;
  /** Default 2. */
  secondsPerSlot?: number;
  /** Default 0 (altair from genesis). */
  altairForkEpoch?: number;
  /** More chain-config values, passed as `--params.NAME value`. */
  params?: Readonly<Record<string, string | number>>;
  /** Default: interop genesis of 8 validators. */
  genesis?: LodestarGenesis;
  /** Follow a deposit contract (default: no eth1 tracking). */
  eth1?: LodestarEth1;
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
  /**
   * Start again in the `dataDir` of a previous run (`keepChainData`), with the same genesis. The
   * validator client's slashing-protection database is kept; the beacon database is rebuilt from
   * genesis, because Lodestar 1.5.1 restarted on a later state of it never moves its head past that
   * state (its fork choice starts with a zero finalized root): publish the blocks saved at the stop
   * (`exportBlocks`, `importBlocks`) to bring the chain back. The genesis may then lie in the past,
   * `--genesisTime` keeps `lodestar dev` from deleting the databases, and a node left behind by more
   * than an epoch with no peer to sync from counts itself synced (`--sync.isSingleNode`; Lodestar
   * 1.5.1 would otherwise wait for peers forever and serve no duties). Default false.
   */
  resume?: boolean;
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
