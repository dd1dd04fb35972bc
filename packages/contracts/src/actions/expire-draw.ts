import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type ExpireDrawParameters = { committeeDraw: Address; drawId: bigint };
export type ExpireDrawReturnType = Hash;

/** Expires a committee whose DKG result did not arrive in time; its seats and ETH are released. */
export function expireDraw(
  client: WalletClientLike,
  parameters: ExpireDrawParameters,
): Promise<ExpireDrawReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'expire',
    args: [parameters.drawId],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
