import type { Address, Hash } from 'viem';
import { simulateContract, writeContract } from 'viem/actions';
import { errorsAbi } from '../generated/index.ts';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import type { WalletClientLike } from './types.ts';

export type SyncOperatorParameters = { operatorRegistry: Address; operator: Address };
export type SyncOperatorReturnType = Hash;

/**
 * Re-records an operator's capacity at the current divETH rate (`OperatorRegistry.sync`, anyone): after
 * a rebase, the draw weights follow the collateral's new value. Simulated first (`NotRegistered`).
 */
export async function syncOperator(
  client: WalletClientLike,
  parameters: SyncOperatorParameters,
): Promise<SyncOperatorReturnType> {
  const { request } = await simulateContract(client, {
    address: parameters.operatorRegistry,
    abi: [...operatorRegistryAbi, ...errorsAbi],
    functionName: 'sync',
    args: [parameters.operator],
    chain: client.chain,
    account: client.account,
  });
  return writeContract(client, request);
}
