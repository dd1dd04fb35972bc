import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RedrawParameters = { committeeDraw: Address; drawId: bigint };
export type RedrawReturnType = Hash;

/**
 * Starts a new draw for an expired draw id (32 ETH reserved again), or for a request whose target block
 * left the 8,191-block history; it commits to a new future block (anyone). Simulated first: any other
 * status is refused with `InvalidStatus(drawId, status)`.
 */
export async function redraw(
  client: WalletClientLike,
  parameters: RedrawParameters,
): Promise<RedrawReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'redraw',
    args: [parameters.drawId],
  });
}
