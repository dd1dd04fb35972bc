import type { Address, Hash } from 'viem';
import type { EvidencePartialSignature } from '../dkg-result-submission.ts';
import { evidenceSlasherAbi } from '../generated/EvidenceSlasher.ts';
import { simulateAndWrite } from '../internal/write.ts';
import { type EvidenceBlockHeader, type ShareRef, shareRefArg } from './evidence-types.ts';
import type { WalletClientLike } from './types.ts';

export type ProveDoubleProposalParameters = {
  evidenceSlasher: Address;
  share: ShareRef;
  first: EvidenceBlockHeader;
  firstSignature: EvidencePartialSignature;
  second: EvidenceBlockHeader;
  secondSignature: EvidencePartialSignature;
};
export type ProveDoubleProposalReturnType = Hash;

/**
 * Proves that one key share signed two different block headers for the same slot and proposer.
 * Same consequences and gas margin as `proveDoubleAttestation`. Simulated first.
 */
export async function proveDoubleProposal(
  client: WalletClientLike,
  parameters: ProveDoubleProposalParameters,
): Promise<ProveDoubleProposalReturnType> {
  return simulateAndWrite(client, {
    address: parameters.evidenceSlasher,
    abi: evidenceSlasherAbi,
    functionName: 'proveDoubleProposal',
    args: [
      shareRefArg(parameters.share),
      parameters.first,
      parameters.firstSignature,
      parameters.second,
      parameters.secondSignature,
    ],
    gasMargin: true,
  });
}
