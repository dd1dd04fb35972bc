// The viem clients the chain components need, over one or several RPC URLs: with several, viem's
// `fallback` transport tries them in order (and ranks them when `rank` is set), so one node down or
// lagging does not stop the operator. The wallet's account is the operator's identity key: the
// address the registry knows, which pays for its submissions and keeper calls.

import type { WalletClientLike } from '@diva-dvt/contracts';
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  publicActions,
  type Transport,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { OperatorError } from '../errors.ts';

export interface CreateChainClientsParameters {
  /** One or more JSON-RPC URLs of the execution chain (tried in order). */
  readonly rpcUrls: readonly string[];
  /** The chain, or only its id (a local or private chain viem does not list). */
  readonly chain: Chain | number;
  /** The operator's secp256k1 identity key (32 bytes). Never logged. */
  readonly identityKey: Uint8Array;
  /** How often viem polls for receipts (default 1,000 ms). */
  readonly pollingIntervalMs?: number;
  /** Per request (default 10,000 ms). */
  readonly timeoutMs?: number;
  /** Rank the URLs by latency and stability (viem's `fallback` ranking; default false). */
  readonly rank?: boolean;
}

export interface ChainClients {
  readonly public: PublicClient;
  readonly wallet: WalletClientLike;
}

export function createChainClients(parameters: CreateChainClientsParameters): ChainClients {
  if (parameters.rpcUrls.length === 0) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'rpcUrls',
      reason: 'expected at least one URL',
    });
  }
  const timeout = parameters.timeoutMs ?? 10_000;
  const transports = parameters.rpcUrls.map((url) => http(url, { timeout, retryCount: 1 }));
  const transport: Transport =
    transports.length === 1 ? transports[0]! : fallback(transports, { rank: parameters.rank ?? false });
  const pollingInterval = parameters.pollingIntervalMs ?? 1000;
  const account = privateKeyToAccount(toHex(parameters.identityKey));
  const chain =
    typeof parameters.chain === 'number'
      ? defineChain({
          id: parameters.chain,
          name: `chain ${parameters.chain}`,
          nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
          rpcUrls: { default: { http: [...parameters.rpcUrls] } },
        })
      : parameters.chain;
  return {
    public: createPublicClient({ chain, transport, pollingInterval, cacheTime: 0 }),
    wallet: createWalletClient({
      account,
      chain,
      transport,
      pollingInterval,
      cacheTime: 0,
    }).extend(publicActions) as unknown as WalletClientLike,
  };
}
