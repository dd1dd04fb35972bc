import type { Address, Hash } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
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
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'sync',
    args: [parameters.operator],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
