import type { Address, Hash } from 'viem';
import { committeeDrawAbi } from '../generated/CommitteeDraw.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RequestShareRegenerationParameters = { committeeDraw: Address; drawId: bigint };
export type RequestShareRegenerationReturnType = Hash;

/**
 * A committee member of an approved draw whose key share is lost asks for a new one: `ReshareRequested`
 * with the committee unchanged and the caller as its own "replacement", so the members reshare the
 * validator's key and `recordReshare` records a new generation. Only the member itself (the client's
 * account). Simulated first: refusals come back as custom errors (`NotInCommittee`, `MemberEjected`,
 * `InvalidStatus`, `RegenerationCooldown`).
 */
export async function requestShareRegeneration(
  client: WalletClientLike,
  parameters: RequestShareRegenerationParameters,
): Promise<RequestShareRegenerationReturnType> {
  return simulateAndWrite(client, {
    address: parameters.committeeDraw,
    abi: committeeDrawAbi,
    functionName: 'requestShareRegeneration',
    args: [parameters.drawId],
  });
}
