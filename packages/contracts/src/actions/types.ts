import type { Account, Chain, Client, Transport } from 'viem';

/** A viem client that can send transactions (wallet + an account). */
export type WalletClientLike = Client<Transport, Chain | undefined, Account>;
/** Any viem client that can read. */
export type ReadClient = Client<Transport, Chain | undefined>;
