import type { Address, Hash } from 'viem';
import { readContract } from 'viem/actions';
import { exitRequestsAbi } from '../generated/ExitRequests.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type TriggerExitParameters = {
  exitRequests: Address;
  drawId: bigint;
  /**
   * ETH sent for the EIP-7002 fee (wei). Default: the current fee read from the contract. The fee can
   * rise before inclusion; send more to be safe, the excess is refunded.
   */
  valueWei?: bigint;
};
export type TriggerExitReturnType = Hash;

/**
 * Triggers the full exit of a validator whose exit was requested, through EIP-7002 from the withdrawal
 * credentials' owner (anyone, paying the fee). Simulated first: refusals come back as custom errors
 * (`ExitNotRequested`, `WithdrawalRequestsUnavailable` where the chain has no 7002 contract, `FeeTooLow`).
 */
export async function triggerExit(
  client: WalletClientLike,
  parameters: TriggerExitParameters,
): Promise<TriggerExitReturnType> {
  const value =
    parameters.valueWei ??
    (await readContract(client, {
      address: parameters.exitRequests,
      abi: exitRequestsAbi,
      functionName: 'withdrawalRequestFee',
    }));
  return simulateAndWrite(client, {
    address: parameters.exitRequests,
    abi: exitRequestsAbi,
    functionName: 'triggerExit',
    args: [parameters.drawId],
    value,
  });
}
