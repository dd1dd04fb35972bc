import type { Address, Hash } from 'viem';
import { readContract } from 'viem/actions';
import { getBlockHeaderRlp } from '../block-header.ts';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type FinalizeDrawParameters = { committeeDraw: Address; drawId: bigint };
export type FinalizeDrawReturnType = Hash;

/**
 * Draws the committee of `drawId` once its target block is mined: fetches that block's header,
 * checks it hashes to the block hash, and sends it (the contract verifies it against BLOCKHASH).
 */
export async function finalizeDraw(
  client: WalletClientLike,
  parameters: FinalizeDrawParameters,
): Promise<FinalizeDrawReturnType> {
  const draw = await readContract(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'getDraw',
    args: [parameters.drawId],
  });
  const header = await getBlockHeaderRlp(client, { blockNumber: draw.targetBlock });
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'finalizeDraw',
    args: [parameters.drawId, header],
    // Changes registry weights, whose per-block history writes new slots in a new block.
    gasMargin: true,
  });
}
