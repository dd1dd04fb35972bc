import type { Address, Hash } from 'viem';
import { simulateContract, writeContract } from 'viem/actions';
import { errorsAbi } from '../generated/index.ts';
import { wdivETHAbi } from '../generated/WdivETH.ts';
import type { WalletClientLike } from './types.ts';

export type WrapDivEthParameters = {
  wdivETH: Address;
  /** divETH (wei) to wrap; approve the wdivETH contract for it first. */
  amountWei: bigint;
  /** Who receives the wdivETH (default: the client's account). */
  receiver?: Address;
};
export type WrapDivEthReturnType = Hash;

/**
 * Wraps divETH into non-rebasing wdivETH (ERC-4626 `deposit`): shares at the current rate, rounded down.
 * Simulated first: a missing allowance comes back as divETH's `InsufficientAllowance`.
 */
export async function wrapDivEth(
  client: WalletClientLike,
  parameters: WrapDivEthParameters,
): Promise<WrapDivEthReturnType> {
  const { request } = await simulateContract(client, {
    address: parameters.wdivETH,
    abi: [...wdivETHAbi, ...errorsAbi],
    functionName: 'deposit',
    args: [parameters.amountWei, parameters.receiver ?? client.account.address],
    chain: client.chain,
    account: client.account,
  });
  return writeContract(client, request);
}
