import type { Address, Hash } from 'viem';
import { divETHAbi } from '../generated/DivETH.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

export type PauseProtocolParameters = { divETH: Address };
export type PauseProtocolReturnType = Hash;

/**
 * The guardian's one pause (`deployDiva({ guardian })`): stops staking, draw reservations, beacon
 * deposits and withdrawal finalization for 7 days, after which the protocol resumes by itself. Claims of
 * finalized withdrawals, collateral and reports go on. Refused once used or after the guardian's term.
 */
export function pauseProtocol(
  client: WalletClientLike,
  parameters: PauseProtocolParameters,
): Promise<PauseProtocolReturnType> {
  return simulateAndWrite(client, { address: parameters.divETH, abi: divETHAbi, functionName: 'pause' });
}
