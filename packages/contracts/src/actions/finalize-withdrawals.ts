import type { Address, Hash } from 'viem';
import { withdrawalQueueAbi } from '../generated/WithdrawalQueue.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type FinalizeWithdrawalsParameters = { withdrawalQueue: Address; maxRequests: bigint };
export type FinalizeWithdrawalsReturnType = Hash;

/**
 * Finalizes queued requests in order as far as buffered ETH allows, the last one in part if it is larger
 * than what is left (anyone).
 */
export function finalizeWithdrawals(
  client: WalletClientLike,
  parameters: FinalizeWithdrawalsParameters,
): Promise<FinalizeWithdrawalsReturnType> {
  return simulateAndWrite(client, {
    address: parameters.withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'finalize',
    args: [parameters.maxRequests],
  });
}
