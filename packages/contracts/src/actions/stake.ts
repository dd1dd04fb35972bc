import type { Address, Hash } from 'viem';
import { writeContract } from 'viem/actions';
import { divETHAbi } from '../generated/DivETH.ts';
import type { WalletClientLike } from './types.ts';

export type StakeParameters = { divETH: Address; valueWei: bigint };
export type StakeReturnType = Hash;

/** Deposits ETH into the pool and receives divETH (shares at the current rate, rounded down). */
export function stake(client: WalletClientLike, parameters: StakeParameters): Promise<StakeReturnType> {
  return writeContract(client, {
    address: parameters.divETH,
    abi: divETHAbi,
    functionName: 'deposit',
    value: parameters.valueWei,
    chain: client.chain,
    account: client.account,
  });
}
