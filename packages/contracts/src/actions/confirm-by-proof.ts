import type { Address, Hash, Hex } from 'viem';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

/** The phase0 `Validator` container as the contract takes it (uint64 fields as bigint; FAR_FUTURE_EPOCH = 2^64 - 1). */
export type BeaconValidator = {
  pubkey: Hex;
  withdrawalCredentials: Hex;
  effectiveBalance: bigint;
  slashed: boolean;
  activationEligibilityEpoch: bigint;
  activationEpoch: bigint;
  exitEpoch: bigint;
  withdrawableEpoch: bigint;
};

/** A validator record proven against the beacon block root that EIP-4788 stores for `timestamp`. */
export type ValidatorProof = {
  /** Timestamp of the execution block whose parent beacon block root the proof is against. */
  timestamp: bigint;
  validatorIndex: bigint;
  validator: BeaconValidator;
  /** Sibling nodes from the validator's root up to the beacon block root (40 + 1 + state depth + 3). */
  branch: readonly Hex[];
};

export type ConfirmByProofParameters = {
  dkgResultRegistry: Address;
  drawId: bigint;
  /** The deposit signature submitted with the DKG result (reused for the 31 ETH top-up). */
  depositSignature: Hex;
  proof: ValidatorProof;
};
export type ConfirmByProofReturnType = Hash;

/**
 * Proves through EIP-4788 that the beacon state holds the validator with the protocol's withdrawal
 * credentials, which releases the other 31 ETH (anyone). Simulated first: refusals come back as the
 * contract's custom errors (`BeaconRootUnavailable`, `WithdrawalCredentialsMismatch`, ...).
 */
export async function confirmByProof(
  client: WalletClientLike,
  parameters: ConfirmByProofParameters,
): Promise<ConfirmByProofReturnType> {
  return simulateAndWrite(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    functionName: 'confirmByProof',
    args: [
      parameters.drawId,
      parameters.depositSignature,
      { ...parameters.proof, branch: [...parameters.proof.branch] },
    ],
  });
}
