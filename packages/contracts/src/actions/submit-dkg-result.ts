import type { Account, Address, Hash, Hex } from 'viem';
import type { DkgResultSubmission } from '../dkg-result-submission.ts';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

/** One committee member's approval: its 1-based share index (seat + 1) and its 65-byte EIP-712 signature. */
export type MemberApproval = { shareIndex: bigint; signature: Hex };

export const dkgApprovalTypes = {
  DkgApproval: [
    { name: 'drawId', type: 'uint256' },
    { name: 'ceremonyId', type: 'bytes32' },
    { name: 'validatorPubkey', type: 'bytes' },
    { name: 'publicSharesHash', type: 'bytes32' },
    { name: 'depositDataRoot', type: 'bytes32' },
  ],
} as const;

export type SignDkgApprovalParameters = {
  dkgResultRegistry: Address;
  chainId: number;
  drawId: bigint;
  /** `ceremonyIdOf(drawId)` of the registry. */
  ceremonyId: Hex;
  validatorPubkey: Hex;
  /** keccak256 of the n public shares (48 bytes each, share index order). */
  publicSharesHash: Hex;
  depositDataRoot: Hex;
};

/** A member's EIP-712 approval of a DKG result (domain "DivaDkgResult", version 1), signed by its operator key. */
export function signDkgApproval(account: Account, parameters: SignDkgApprovalParameters): Promise<Hex> {
  return signDivaTypedData('signDkgApproval', account, {
    domain: 'DivaDkgResult',
    chainId: parameters.chainId,
    verifyingContract: parameters.dkgResultRegistry,
    types: dkgApprovalTypes,
    primaryType: 'DkgApproval',
    message: {
      drawId: parameters.drawId,
      ceremonyId: parameters.ceremonyId,
      validatorPubkey: parameters.validatorPubkey,
      publicSharesHash: parameters.publicSharesHash,
      depositDataRoot: parameters.depositDataRoot,
    },
  });
}

export type SubmitDkgResultParameters = {
  dkgResultRegistry: Address;
  /** Built from the ceremony's output by `createDkgResultSubmission`. */
  result: DkgResultSubmission;
  /** At least t approvals by distinct members of the draw's committee. */
  approvals: readonly MemberApproval[];
};
export type SubmitDkgResultReturnType = Hash;

/**
 * Submits a committee's DKG result with t approvals (anyone): the registry checks the approvals, the
 * deposit data root and the BLS deposit signature, then deposits 1 ETH for the validator. Simulated
 * first, so a refusal comes back as the contract's custom error.
 */
export async function submitDkgResult(
  client: WalletClientLike,
  parameters: SubmitDkgResultParameters,
): Promise<SubmitDkgResultReturnType> {
  return simulateAndWrite(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    functionName: 'submitDkgResult',
    args: [parameters.result, [...parameters.approvals]],
  });
}
