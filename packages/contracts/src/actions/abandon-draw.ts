import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type AbandonDrawParameters = { committeeDraw: Address; drawId: bigint };
export type AbandonDrawReturnType = Hash;

/**
 * Abandons an approved draw whose remaining ETH was not confirmed within the DKG timeout of its
 * approval (anyone): its seats and the ETH not yet deposited are released.
 */
export function abandonDraw(
  client: WalletClientLike,
  parameters: AbandonDrawParameters,
): Promise<AbandonDrawReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'abandon',
    args: [parameters.drawId],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
