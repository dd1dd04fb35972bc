import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { accountingAbi } from '../generated/Accounting.ts';
import type { ReadClient } from './types.ts';

export type GetReportingCommitteeParameters = {
  accounting: Address;
  /** Reference epoch of the frame. */
  epoch: bigint;
  /** Also read this operator's seats in the committee (its vote on that frame's report). */
  operator?: Address;
};
export type GetReportingCommitteeReturnType = {
  /** Block whose prevrandao seeds the committee (0: not requested). */
  targetBlock: bigint;
  drawn: boolean;
  /** Seats sampled (0 until drawn); a report needs signers holding ceil(2/3) of them. */
  seats: bigint;
  /** `operator`'s seats in the committee (0 when it was not drawn, or no operator was given). */
  operatorSeats: bigint;
};

/**
 * A frame's reporting committee (used while there are more active seats than the committee's K;
 * members learn their seats from the `ReportingCommitteeDrawn` event or `operator`).
 */
export async function getReportingCommittee(
  client: ReadClient,
  parameters: GetReportingCommitteeParameters,
): Promise<GetReportingCommitteeReturnType> {
  const read = { address: parameters.accounting, abi: accountingAbi } as const;
  const [targetBlock, drawn, seats] = await readContract(client, {
    ...read,
    functionName: 'reportingCommitteeOf',
    args: [parameters.epoch],
  });
  const operatorSeats =
    parameters.operator === undefined
      ? 0n
      : await readContract(client, {
          ...read,
          functionName: 'committeeSeatsOf',
          args: [parameters.epoch, parameters.operator],
        });
  return { targetBlock, drawn, seats, operatorSeats };
}
