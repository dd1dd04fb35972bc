// A real viem client on an Anvil URL whose transport counts what it sends: each eth_call by contract
// and function name (decoded with the contracts' ABIs), each other method by name, and the
// parameters of each eth_getLogs. The hot-path tests count contract reads with it, not time.

import type { WalletClientLike } from '@diva-dvt/contracts';
import * as abis from '@diva-dvt/contracts/abis';
import {
  type Abi,
  type Address,
  createWalletClient,
  custom,
  decodeFunctionData,
  type Hex,
  http,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';

export interface CountedCall {
  readonly method: string;
  readonly to?: Address;
  readonly functionName?: string;
  readonly params?: unknown;
}

const ABIS = (Object.values(abis) as unknown[]).filter((a): a is Abi => Array.isArray(a));

function functionNameOf(data: Hex): string | undefined {
  for (const abi of ABIS) {
    try {
      return decodeFunctionData({ abi, data }).functionName;
    } catch {
      // not this contract's function
    }
  }
  return undefined;
}

export function countingWallet(url: string, key: Uint8Array) {
  const calls: CountedCall[] = [];
  const base = http(url, { retryCount: 0 })({ chain: foundry });
  const wallet = createWalletClient({
    account: privateKeyToAccount(toHex(key)),
    chain: foundry,
    pollingInterval: 100,
    transport: custom({
      async request({ method, params }: { method: string; params?: unknown }) {
        if (method === 'eth_call') {
          const [call] = params as [{ to: Address; data: Hex }];
          const functionName = functionNameOf(call.data);
          calls.push({
            method,
            to: call.to.toLowerCase() as Address,
            ...(functionName !== undefined ? { functionName } : {}),
          });
        } else {
          calls.push({ method, params });
        }
        return base.request({ method, params } as never);
      },
    }),
  });
  /** eth_calls of `functionName` (on `to`, when given). */
  const reads = (functionName: string, to?: Address) =>
    calls.filter(
      (c) =>
        c.method === 'eth_call' &&
        c.functionName === functionName &&
        (to === undefined || c.to === to.toLowerCase()),
    ).length;
  /** eth_calls to `to`. */
  const readsOf = (to: Address) =>
    calls.filter((c) => c.method === 'eth_call' && c.to === to.toLowerCase()).length;
  return { wallet: wallet as unknown as WalletClientLike, calls, reads, readsOf };
}
