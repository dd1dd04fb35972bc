import type { Address, Hash } from 'viem';
import { wdivETHAbi } from '../generated/WdivETH.ts';
import { simulateAndWrite } from '../internal/write.ts';
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
  return simulateAndWrite(client, {
    address: parameters.wdivETH,
    abi: wdivETHAbi,
    functionName: 'deposit',
    args: [parameters.amountWei, parameters.receiver ?? client.account.address],
  });
}
