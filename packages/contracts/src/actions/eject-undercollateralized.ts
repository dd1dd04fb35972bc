import type { Address, Hash } from 'viem';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type EjectUndercollateralizedParameters = { operatorRegistry: Address; operator: Address };
export type EjectUndercollateralizedReturnType = Hash;

/**
 * Ejects an operator whose collateral is worth less than its key shares need (anyone). Simulated first:
 * a healthy or already ejected operator is refused with `NotUndercollateralized(operator, value, required)`.
 */
export async function ejectUndercollateralized(
  client: WalletClientLike,
  parameters: EjectUndercollateralizedParameters,
): Promise<EjectUndercollateralizedReturnType> {
  return simulateAndWrite(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'ejectUndercollateralized',
    args: [parameters.operator],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
