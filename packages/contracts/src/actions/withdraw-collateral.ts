import type { Address, Hash } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type WithdrawCollateralParameters = { operatorRegistry: Address; amountWei: bigint };
export type WithdrawCollateralReturnType = Hash;

/** Withdraws collateral not backing held key shares. */
export function withdrawCollateral(
  client: WalletClientLike,
  parameters: WithdrawCollateralParameters,
): Promise<WithdrawCollateralReturnType> {
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'withdrawCollateral',
    args: [parameters.amountWei],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
