import type { Address, Hash } from 'viem';
import { withdrawalQueueAbi } from '../generated/WithdrawalQueue.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RequestWithdrawalParameters = { withdrawalQueue: Address; amountWei: bigint };
export type RequestWithdrawalReturnType = Hash;

/** Locks divETH worth `amountWei` in the queue (approve the queue first). */
export function requestWithdrawal(
  client: WalletClientLike,
  parameters: RequestWithdrawalParameters,
): Promise<RequestWithdrawalReturnType> {
  return simulateAndWrite(client, {
    address: parameters.withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'requestWithdrawal',
    args: [parameters.amountWei],
  });
}
