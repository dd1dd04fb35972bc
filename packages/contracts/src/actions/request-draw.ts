import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RequestDrawParameters = { committeeDraw: Address };
export type RequestDrawReturnType = Hash;

/** Reserves 32 buffered ETH and commits to a future block's prevrandao (anyone). */
export function requestDraw(
  client: WalletClientLike,
  parameters: RequestDrawParameters,
): Promise<RequestDrawReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'requestDraw',
  });
}
