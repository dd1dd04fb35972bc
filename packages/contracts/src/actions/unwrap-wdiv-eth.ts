import type { Address, Hash } from 'viem';
import { simulateContract, writeContract } from 'viem/actions';
import { errorsAbi } from '../generated/index.ts';
import { wdivETHAbi } from '../generated/WdivETH.ts';
import type { WalletClientLike } from './types.ts';

export type UnwrapWdivEthParameters = {
  wdivETH: Address;
  /** wdivETH shares to redeem. */
  shares: bigint;
  /** Who receives the divETH (default: the client's account). */
  receiver?: Address;
  /** Whose wdivETH is redeemed (default: the client's account; another owner needs an allowance). */
  owner?: Address;
};
export type UnwrapWdivEthReturnType = Hash;

/**
 * Unwraps wdivETH back into divETH (ERC-4626 `redeem`): divETH at the current rate, rounded down.
 * Simulated first: more than the owner holds is refused with `ERC4626ExceededMaxRedeem`.
 */
export async function unwrapWdivEth(
  client: WalletClientLike,
  parameters: UnwrapWdivEthParameters,
): Promise<UnwrapWdivEthReturnType> {
  const { request } = await simulateContract(client, {
    address: parameters.wdivETH,
    abi: [...wdivETHAbi, ...errorsAbi],
    functionName: 'redeem',
    args: [
      parameters.shares,
      parameters.receiver ?? client.account.address,
      parameters.owner ?? client.account.address,
    ],
    chain: client.chain,
    account: client.account,
  });
  return writeContract(client, request);
}
