import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type DrawReplacementParameters = { committeeDraw: Address; drawId: bigint; ejected: Address };
export type DrawReplacementReturnType = Hash;

/**
 * Replaces an ejected member of a committee (anyone). The pick depends on the including block's
 * prevrandao, so the gas estimate gets a 50% margin. Simulated first: refusals come back as the
 * contract's custom errors.
 */
export async function drawReplacement(
  client: WalletClientLike,
  parameters: DrawReplacementParameters,
): Promise<DrawReplacementReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'drawReplacement',
    args: [parameters.drawId, parameters.ejected],
    gasMargin: true,
  });
}
