import type { Address, ContractFunctionReturnType } from 'viem';
import { readContract } from 'viem/actions';
import { operatorRegistryAbi } from '../generated/OperatorRegistry.ts';
import type { ReadClient } from './types.ts';

export type GetOperatorParameters = { operatorRegistry: Address; operator: Address };
export type GetOperatorReturnType = ContractFunctionReturnType<
  typeof operatorRegistryAbi,
  'view',
  'operatorOf'
>;

/** Registration, collateral (shares and ETH value), seats, recorded capacity, ejection. */
export function getOperator(
  client: ReadClient,
  parameters: GetOperatorParameters,
): Promise<GetOperatorReturnType> {
  return readContract(client, {
    address: parameters.operatorRegistry,
    abi: operatorRegistryAbi,
    functionName: 'operatorOf',
    args: [parameters.operator],
  });
}
