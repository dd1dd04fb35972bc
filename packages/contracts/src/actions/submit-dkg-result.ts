import type { Account, Address, Hash, Hex } from 'viem';
import { simulateContract, writeContract } from 'viem/actions';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { errorsAbi } from '../generated/index.ts';
import type { WalletClientLike } from './types.ts';

/** What a committee submits for its draw once its DKG ceremony is done. */
export type DkgResult = {
  drawId: bigint;
  /** The validator's group public key, 48-byte compressed G1. */
  pubkey: Hex;
  /** The n public shares, 48 bytes each, in share index order (n x 48 bytes). */
  publicShares: Hex;
  /** The threshold BLS signature over the 1 ETH DepositMessage, 96-byte compressed G2. */
  depositSignature: Hex;
  /** The same signature uncompressed (256 bytes, EIP-2537 encoding); the contract checks it matches. */
  depositSignaturePoint: Hex;
  /** The 1 ETH deposit's data root (`preDepositDataRoot(pubkey, depositSignature)`). */
  depositDataRoot: Hex;
};

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
  if (!account.signTypedData) throw new Error('signDkgApproval: the account cannot sign typed data');
  return account.signTypedData({
    domain: {
      name: 'DivaDkgResult',
      version: '1',
      chainId: parameters.chainId,
      verifyingContract: parameters.dkgResultRegistry,
    },
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
  result: DkgResult;
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
  const { request } = await simulateContract(client, {
    address: parameters.dkgResultRegistry,
    abi: [...dkgResultRegistryAbi, ...errorsAbi],
    functionName: 'submitDkgResult',
    args: [parameters.result, [...parameters.approvals]],
    chain: client.chain,
    account: client.account,
  });
  return writeContract(client, request);
}
