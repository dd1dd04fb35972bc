import type { Address, Hash } from 'viem';
import { wdivETHAbi } from '../generated/WdivETH.ts';
import { simulateAndWrite } from '../internal/write.ts';
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
  return simulateAndWrite(client, {
    address: parameters.wdivETH,
    abi: wdivETHAbi,
    functionName: 'redeem',
    args: [
      parameters.shares,
      parameters.receiver ?? client.account.address,
      parameters.owner ?? client.account.address,
    ],
  });
}
