import type { Address, Hash } from 'viem';
import { accountingAbi } from '../generated/Accounting.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type RequestReportingCommitteeParameters = { accounting: Address };
export type RequestReportingCommitteeReturnType = Hash;

/**
 * Commits the current frame's reporting committee to the prevrandao of a block two blocks ahead
 * (anyone; refused with `CommitteeNotNeeded` while every active seat votes, i.e. no more than K).
 */
export function requestReportingCommittee(
  client: WalletClientLike,
  parameters: RequestReportingCommitteeParameters,
): Promise<RequestReportingCommitteeReturnType> {
  return simulateAndWrite(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    functionName: 'requestReportingCommittee',
  });
}
