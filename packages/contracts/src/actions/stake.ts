import type { Address, Hash } from 'viem';
import { divETHAbi } from '../generated/DivETH.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type StakeParameters = { divETH: Address; valueWei: bigint };
export type StakeReturnType = Hash;

/** Deposits ETH into the pool and receives divETH (shares at the current rate, rounded down). */
export function stake(client: WalletClientLike, parameters: StakeParameters): Promise<StakeReturnType> {
  return simulateAndWrite(client, {
    address: parameters.divETH,
    abi: divETHAbi,
    functionName: 'deposit',
    value: parameters.valueWei,
  });
}
