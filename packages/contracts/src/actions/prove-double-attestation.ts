import type { Address, Hash } from 'viem';
import type { EvidencePartialSignature } from '../dkg-result-submission.ts';
import { evidenceSlasherAbi } from '../generated/EvidenceSlasher.ts';
import { simulateAndWrite } from '../internal/write.ts';
import { type EvidenceAttestationData, type ShareRef, shareRefArg } from './evidence-types.ts';
import type { WalletClientLike } from './types.ts';

export type ProveDoubleAttestationParameters = {
  evidenceSlasher: Address;
  share: ShareRef;
  first: EvidenceAttestationData;
  firstSignature: EvidencePartialSignature;
  second: EvidenceAttestationData;
  secondSignature: EvidencePartialSignature;
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
  return simulateAndWrite(client, {
    address: parameters.evidenceSlasher,
    abi: evidenceSlasherAbi,
    functionName: 'proveDoubleAttestation',
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
