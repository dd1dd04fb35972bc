import type { Address, Hash } from 'viem';
import { withdrawalQueueAbi } from '../generated/WithdrawalQueue.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RequestShortfallExitParameters = { withdrawalQueue: Address; drawId: bigint };
export type RequestShortfallExitReturnType = Hash;

/**
 * When the buffer and the exits under way cannot cover the withdrawal queue, asks for the exit of an
 * active validator (anyone): the draw is marked exited and ExitRequests records reason 4, which the
 * committee signs a voluntary exit for and `triggerExit` (EIP-7002) can force. Simulated first:
 * refusals come back as custom errors (`NoShortfall`, `DrawNotActive`).
 */
export async function requestShortfallExit(
  client: WalletClientLike,
  parameters: RequestShortfallExitParameters,
): Promise<RequestShortfallExitReturnType> {
  return simulateAndWrite(client, {
    address: parameters.withdrawalQueue,
    abi: withdrawalQueueAbi,
    functionName: 'requestShortfallExit',
    args: [parameters.drawId],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
