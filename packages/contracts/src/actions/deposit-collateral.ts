import type { Address, Hash } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type DepositCollateralParameters = { operatorRegistry: Address; amountWei: bigint };
export type DepositCollateralReturnType = Hash;

/** Locks divETH worth `amountWei` as collateral (approve the registry first). */
export function depositCollateral(
  client: WalletClientLike,
  parameters: DepositCollateralParameters,
): Promise<DepositCollateralReturnType> {
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'depositCollateral',
    args: [parameters.amountWei],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
