import type { Address, Hash } from 'viem';
import { divETHAbi } from '../generated/DivETH.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type UnpauseProtocolParameters = { divETH: Address };
export type UnpauseProtocolReturnType = Hash;

/** Ends the guardian's pause before it expires (the guardian only). */
export function unpauseProtocol(
  client: WalletClientLike,
  parameters: UnpauseProtocolParameters,
): Promise<UnpauseProtocolReturnType> {
  return simulateAndWrite(client, { address: parameters.divETH, abi: divETHAbi, functionName: 'unpause' });
}
