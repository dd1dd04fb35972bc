import type { Account, Chain, Client, Transport } from 'viem';

/** A viem client that can send transactions (wallet + an account). */
export type WalletClientLike = Client<Transport, Chain | undefined, Account>;
/** Any viem client that can read. */
export type ReadClient = Client<Transport, Chain | undefined>;

/** How a watcher follows its event. */
export type WatchOptions = {
  /** Replay from this block before following new ones. */
  fromBlock?: bigint;
  pollingIntervalMs?: number;
  onError?: (error: Error) => void;
};
