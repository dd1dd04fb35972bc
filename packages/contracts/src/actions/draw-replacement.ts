import type { Address, Hash } from 'viem';
import { estimateContractGas, writeContract } from 'viem/actions';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import type { WalletClientLike } from './types.ts';

export type DrawReplacementParameters = { committeeDraw: Address; drawId: bigint; ejected: Address };
export type DrawReplacementReturnType = Hash;

/**
 * Replaces an ejected member of a committee (anyone). The pick depends on the including block's
 * prevrandao, so the gas estimate gets a 50% margin.
 */
export async function drawReplacement(
  client: WalletClientLike,
  parameters: DrawReplacementParameters,
): Promise<DrawReplacementReturnType> {
  const request = {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'drawReplacement',
    args: [parameters.drawId, parameters.ejected],
    account: client.account,
  } as const;
  const gas = await estimateContractGas(client, request);
  return writeContract(client, { ...request, chain: client.chain, gas: (gas * 3n) / 2n });
}
