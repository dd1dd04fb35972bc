import type { Account, Address, Hash, Hex } from 'viem';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { MemberApproval } from './submit-dkg-result.ts';
import type { WalletClientLike } from './types.ts';

export const ceremonyFailureTypes = {
  CeremonyFailure: [
    { name: 'drawId', type: 'uint256' },
    { name: 'ceremonyId', type: 'bytes32' },
    { name: 'blockerShareIndex', type: 'uint256' },
  ],
} as const;

export type SignCeremonyFailureParameters = {
  dkgResultRegistry: Address;
  chainId: number;
  drawId: bigint;
  /** `ceremonyIdOf(drawId)` of the registry: the ceremony that failed (it changes with every round). */
  ceremonyId: Hex;
  /** 1-based share index of the member the DKG abort named. */
  blockerShareIndex: bigint;
};

/**
 * A member's EIP-712 statement that the member at `blockerShareIndex` blocked the current ceremony of
 * a draw (domain "DivaDkgResult", version 1), signed by its operator key.
 */
export function signCeremonyFailure(
  account: Account,
  parameters: SignCeremonyFailureParameters,
): Promise<Hex> {
  return signDivaTypedData('signCeremonyFailure', account, {
    domain: 'DivaDkgResult',
    chainId: parameters.chainId,
    verifyingContract: parameters.dkgResultRegistry,
    types: ceremonyFailureTypes,
    primaryType: 'CeremonyFailure',
    message: {
      drawId: parameters.drawId,
      ceremonyId: parameters.ceremonyId,
      blockerShareIndex: parameters.blockerShareIndex,
    },
  });
}

export type ReportFailedCeremonyParameters = {
  dkgResultRegistry: Address;
  drawId: bigint;
  blockerShareIndex: bigint;
  /** At least t statements by distinct members other than the blocker. */
  approvals: readonly MemberApproval[];
};
export type ReportFailedCeremonyReturnType = Hash;

/**
 * Reports a blocked DKG (anyone): the blocker loses its seat to an operator drawn by free capacity and
 * the committee starts a new ceremony (new ceremony id, announced by a new `CommitteeDrawn`).
 */
export function reportFailedCeremony(
  client: WalletClientLike,
  parameters: ReportFailedCeremonyParameters,
): Promise<ReportFailedCeremonyReturnType> {
  return simulateAndWrite(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    functionName: 'reportFailedCeremony',
    args: [parameters.drawId, parameters.blockerShareIndex, [...parameters.approvals]],
    // Seats change (registry weights, with their per-block history); the replacement uses prevrandao.
    gasMargin: true,
  });
}
