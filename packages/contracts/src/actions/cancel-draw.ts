import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type CancelDrawParameters = { committeeDraw: Address; drawId: bigint };
export type CancelDrawReturnType = Hash;

/**
 * Cancels a draw request whose target block left the 8,191-block history undrawn (anyone): its 32 ETH
 * reservation goes back to the buffer (`redraw` would keep it reserved for a new target instead).
 */
export function cancelDraw(
  client: WalletClientLike,
  parameters: CancelDrawParameters,
): Promise<CancelDrawReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'cancel',
    args: [parameters.drawId],
  });
}
