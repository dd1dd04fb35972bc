import type { Address, Hash } from 'viem';
import { readContract } from 'viem/actions';
import { getBlockHeaderRlp } from '../block-header.ts';
import { accountingAbi } from '../generated/Accounting.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type DrawReportingCommitteeParameters = {
  accounting: Address;
  /** Reference epoch of the frame whose committee was requested. */
  epoch: bigint;
};
export type DrawReportingCommitteeReturnType = Hash;

/**
 * Draws the reporting committee of `epoch` once its target block is mined (anyone): fetches that
 * block's header, checks it hashes to the block hash, and sends it; the contract samples K seats
 * with its prevrandao and the seats recorded at the end of the block before.
 */
export async function drawReportingCommittee(
  client: WalletClientLike,
  parameters: DrawReportingCommitteeParameters,
): Promise<DrawReportingCommitteeReturnType> {
  const [targetBlock] = await readContract(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    functionName: 'reportingCommitteeOf',
    args: [parameters.epoch],
  });
  const header = await getBlockHeaderRlp(client, { blockNumber: targetBlock });
  return simulateAndWrite(client, {
    address: parameters.accounting,
    abi: accountingAbi,
    functionName: 'drawReportingCommittee',
    args: [parameters.epoch, header],
  });
}
