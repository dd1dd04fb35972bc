import type { Address, Hash } from 'viem';
import { estimateContractGas, simulateContract, writeContract } from 'viem/actions';
import { evidenceSlasherAbi } from '../generated/EvidenceSlasher.ts';
import { errorsAbi } from '../generated/index.ts';
import {
  type BeaconBlockHeader,
  type PartialSignature,
  type ShareRef,
  shareRefArg,
} from './evidence-types.ts';
import type { WalletClientLike } from './types.ts';

export type ProveDoubleProposalParameters = {
  evidenceSlasher: Address;
  share: ShareRef;
  first: BeaconBlockHeader;
  firstSignature: PartialSignature;
  second: BeaconBlockHeader;
  secondSignature: PartialSignature;
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
  const { request } = await simulateContract(client, {
    address: parameters.evidenceSlasher,
    abi: [...evidenceSlasherAbi, ...errorsAbi],
    functionName: 'proveDoubleProposal',
    args: [
      shareRefArg(parameters.share),
      parameters.first,
      parameters.firstSignature,
      parameters.second,
      parameters.secondSignature,
    ],
    chain: client.chain,
    account: client.account,
  });
  const gas = await estimateContractGas(client, request);
  return writeContract(client, { ...request, gas: (gas * 3n) / 2n });
}
