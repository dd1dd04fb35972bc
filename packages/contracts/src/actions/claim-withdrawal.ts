import type { Address, Hash } from 'viem';
import { withdrawalQueueAbi } from '../generated/WithdrawalQueue.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type ClaimWithdrawalParameters = { withdrawalQueue: Address; requestId: bigint; recipient?: Address };
export type ClaimWithdrawalReturnType = Hash;

/**
 * Pays what is finalized of a request and not yet paid to its holder (or `recipient`): a request larger
 * than the buffer is finalized in parts, each claimable as it comes.
 */
export function claimWithdrawal(
  client: WalletClientLike,
  parameters: ClaimWithdrawalParameters,
): Promise<ClaimWithdrawalReturnType> {
  return simulateAndWrite(client, {
    address: parameters.withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'claim',
    args: [parameters.requestId, parameters.recipient ?? client.account.address],
  });
}
