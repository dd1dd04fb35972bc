import type { Address, Hash } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type ClaimRewardsParameters = { operatorRegistry: Address };
export type ClaimRewardsReturnType = Hash;

/** Pays the operator's accrued rewards (divETH shares). */
export function claimRewards(
  client: WalletClientLike,
  parameters: ClaimRewardsParameters,
): Promise<ClaimRewardsReturnType> {
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'claimRewards',
  });
}
