import type { Account, Address, Hash, Hex } from 'viem';
import { dkgResultRegistryAbi } from '../generated/DkgResultRegistry.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { MemberApproval } from './submit-dkg-result.ts';
import type { WalletClientLike } from './types.ts';

export const reshareApprovalTypes = {
  ReshareApproval: [
    { name: 'drawId', type: 'uint256' },
    { name: 'ceremonyId', type: 'bytes32' },
    { name: 'validatorPubkey', type: 'bytes' },
    { name: 'publicSharesHash', type: 'bytes32' },
    { name: 'generation', type: 'uint256' },
  ],
} as const;

export type SignReshareApprovalParameters = {
  dkgResultRegistry: Address;
  chainId: number;
  drawId: bigint;
  /** `reshareCeremonyIdOf(drawId)` of the registry (binds the next generation). */
  ceremonyId: Hex;
  validatorPubkey: Hex;
  /** keccak256 of the n new public shares. */
  publicSharesHash: Hex;
  /** The generation being recorded: `generationOf(drawId) + 1`. */
  generation: bigint;
};

/** A member of the current committee approves a resharing's public shares (EIP-712, domain "DivaDkgResult" 1). */
export function signReshareApproval(
  account: Account,
  parameters: SignReshareApprovalParameters,
): Promise<Hex> {
  return signDivaTypedData('signReshareApproval', account, {
    domain: 'DivaDkgResult',
    chainId: parameters.chainId,
    verifyingContract: parameters.dkgResultRegistry,
    types: reshareApprovalTypes,
    primaryType: 'ReshareApproval',
    message: {
      drawId: parameters.drawId,
      ceremonyId: parameters.ceremonyId,
      validatorPubkey: parameters.validatorPubkey,
      publicSharesHash: parameters.publicSharesHash,
      generation: parameters.generation,
    },
  });
}

export type RecordReshareParameters = {
  dkgResultRegistry: Address;
  drawId: bigint;
  /** The n new public shares, 48 bytes each, share index order. */
  publicShares: Hex;
  /** At least t approvals by distinct members of the draw's current committee. */
  approvals: readonly MemberApproval[];
};
export type RecordReshareReturnType = Hash;

/**
 * Records the public shares of a resharing (same validator key, new shares after a member was
 * replaced), approved by t members of the current committee (anyone submits). Simulated first.
 */
export async function recordReshare(
  client: WalletClientLike,
  parameters: RecordReshareParameters,
): Promise<RecordReshareReturnType> {
  return simulateAndWrite(client, {
    address: parameters.dkgResultRegistry,
    abi: dkgResultRegistryAbi,
    functionName: 'recordReshare',
    args: [parameters.drawId, parameters.publicShares, [...parameters.approvals]],
  });
}
