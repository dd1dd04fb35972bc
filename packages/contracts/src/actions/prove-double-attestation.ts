import type { Address, Hash } from 'viem';
import { estimateContractGas, simulateContract, writeContract } from 'viem/actions';
import { evidenceSlasherAbi } from '../generated/EvidenceSlasher.ts';
import { errorsAbi } from '../generated/index.ts';
import { type AttestationData, type PartialSignature, type ShareRef, shareRefArg } from './evidence-types.ts';
import type { WalletClientLike } from './types.ts';

export type ProveDoubleAttestationParameters = {
  evidenceSlasher: Address;
  share: ShareRef;
  first: AttestationData;
  firstSignature: PartialSignature;
  second: AttestationData;
  secondSignature: PartialSignature;
};
export type ProveDoubleAttestationReturnType = Hash;

/**
 * Proves that one key share signed two slashable attestations (double vote: same target epoch,
 * different data; or surround vote). Valid evidence slashes the share's operator (part to the sender),
 * ejects it and draws its replacement, which depends on the including block's prevrandao: the gas
 * estimate gets a 50% margin. Simulated first: refusals come back as custom errors (`NotSlashable`,
 * `BadPartialSignature`, `AlreadyPunished`, ...).
 */
export async function proveDoubleAttestation(
  client: WalletClientLike,
  parameters: ProveDoubleAttestationParameters,
): Promise<ProveDoubleAttestationReturnType> {
  const { request } = await simulateContract(client, {
    address: parameters.evidenceSlasher,
    abi: [...evidenceSlasherAbi, ...errorsAbi],
    functionName: 'proveDoubleAttestation',
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
