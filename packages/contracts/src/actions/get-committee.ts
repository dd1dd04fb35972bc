import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import type { ReadClient } from './types.ts';

export type GetCommitteeParameters = { committeeDraw: Address; drawId: bigint };
export type GetCommitteeReturnType = readonly Address[];

/** The committee of a draw; index i holds share index i + 1. */
export function getCommittee(
  client: ReadClient,
  parameters: GetCommitteeParameters,
): Promise<GetCommitteeReturnType> {
  return readContract(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'committeeOf',
    args: [parameters.drawId],
  });
}
