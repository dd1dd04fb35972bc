import type { Account, Address, Hash, Hex } from 'viem';
import { evidenceSlasherAbi } from '../generated/EvidenceSlasher.ts';
import { signDivaTypedData } from '../internal/typed-data.ts';
import { simulateAndWrite } from '../internal/write.ts';
import type { WalletClientLike } from './types.ts';

/** A consensus leader's proposal, as signed with its operator key (EIP-712 `Proposal`). */
export type LeaderProposal = { instance: Hex; round: bigint; valueRoot: Hex };

export const proposalTypes = {
  Proposal: [
    { name: 'instance', type: 'bytes32' },
    { name: 'round', type: 'uint64' },
    { name: 'valueRoot', type: 'bytes32' },
  ],
} as const;

export type SignLeaderProposalParameters = {
  evidenceSlasher: Address;
  chainId: number;
  proposal: LeaderProposal;
};

/** The leader's EIP-712 signature of a proposal (domain "DivaConsensus", version 1, the evidence contract). */
export function signLeaderProposal(account: Account, parameters: SignLeaderProposalParameters): Promise<Hex> {
  return signDivaTypedData('signLeaderProposal', account, {
    domain: 'DivaConsensus',
    chainId: parameters.chainId,
    verifyingContract: parameters.evidenceSlasher,
    types: proposalTypes,
    primaryType: 'Proposal',
    message: parameters.proposal,
  });
}

export type ProveEquivocatingLeaderParameters = {
  evidenceSlasher: Address;
  /** The draw whose committee the leader sits in. */
  drawId: bigint;
  first: LeaderProposal;
  firstSignature: Hex;
  second: LeaderProposal;
  secondSignature: Hex;
};
export type ProveEquivocatingLeaderReturnType = Hash;

/**
 * Proves that a committee member, as leader, signed two different proposals for one consensus
 * instance and round. Valid evidence slashes, ejects and replaces it (gas estimate with a 50% margin:
 * the replacement depends on the including block's prevrandao). Simulated first: refusals come back as
 * custom errors (`NotSlashable`, `SignerMismatch`, `NotCommitteeMember`, `AlreadyPunished`, `EquivocationAlreadyPunished`).
 */
export async function proveEquivocatingLeader(
  client: WalletClientLike,
  parameters: ProveEquivocatingLeaderParameters,
): Promise<ProveEquivocatingLeaderReturnType> {
  return simulateAndWrite(client, {
    address: parameters.evidenceSlasher,
    abi: evidenceSlasherAbi,
    functionName: 'proveEquivocatingLeader',
    args: [
      parameters.drawId,
      parameters.first,
      parameters.firstSignature,
      parameters.second,
      parameters.secondSignature,
    ],
    gasMargin: true,
  });
}
