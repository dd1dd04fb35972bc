// The signing root of a Web3Signer request, recomputed from its typed body as Web3Signer does:
// the domain comes from the request's `fork_info` with the spec's get_domain rule (the previous
// fork version for a message of an epoch before `fork.epoch`, else the current one) over its
// genesis_validators_root; DEPOSIT uses the deposit domain of the body's genesis_fork_version and
// VALIDATOR_REGISTRATION the builder domain of the network's GENESIS_FORK_VERSION (builder-specs).
// Domains and roots are @diva-dvt/beacon-api's spec helpers; the SSZ types are @lodestar/types'.
import {
  aggregateAndProofType,
  builderRegistrationSigningRoot,
  computeDomain,
  computeEpochAtSlot,
  computeSigningRoot,
  DOMAIN_TYPES,
  depositSigningRoot,
  signingRootOfObjectRoot,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import type { Web3SignerForkInfo, Web3SignerRequest } from './types.ts';

/** get_domain(fork_info, domain_type, epoch): the fork version in force for a message of `epoch`. */
export function forkInfoDomain(
  forkInfo: Web3SignerForkInfo,
  domainType: Uint8Array,
  messageEpoch: number,
): Uint8Array {
  const { fork } = forkInfo;
  const version = messageEpoch < fork.epoch ? fork.previousVersion : fork.currentVersion;
  return computeDomain(domainType, version, forkInfo.genesisValidatorsRoot);
}

export interface Web3SignerSigningRootOptions {
  /** The network's GENESIS_FORK_VERSION (4 bytes): VALIDATOR_REGISTRATION's builder domain. */
  readonly genesisForkVersion: Uint8Array;
}

/** The signing root of `request`: what a signature for it is over. */
export function web3SignerSigningRoot(
  request: Web3SignerRequest,
  options: Web3SignerSigningRootOptions,
): Uint8Array {
  switch (request.type) {
    case 'DEPOSIT': {
      const { pubkey, withdrawalCredentials, amount, genesisForkVersion } = request.deposit;
      return depositSigningRoot(genesisForkVersion, { pubkey, withdrawalCredentials, amount });
    }
    case 'VALIDATOR_REGISTRATION':
      return builderRegistrationSigningRoot(options.genesisForkVersion, request.validatorRegistration);
    case 'AGGREGATION_SLOT':
      return computeSigningRoot(
        ssz.Slot,
        request.slot,
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.selectionProof, computeEpochAtSlot(request.slot)),
      );
    case 'AGGREGATE_AND_PROOF':
    case 'AGGREGATE_AND_PROOF_V2': {
      const value = request.aggregateAndProof;
      return computeSigningRoot(
        aggregateAndProofType(request.fork, false),
        value,
        forkInfoDomain(
          request.forkInfo,
          DOMAIN_TYPES.aggregateAndProof,
          computeEpochAtSlot(value.aggregate.data.slot),
        ),
      );
    }
    case 'ATTESTATION':
      return computeSigningRoot(
        ssz.phase0.AttestationData,
        request.attestation,
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.beaconAttester, request.attestation.target.epoch),
      );
    case 'BLOCK':
    case 'BLOCK_V2': {
      // A block's root is its header's root (the body enters as body_root).
      const header = request.blockHeader;
      return signingRootOfObjectRoot(
        ssz.phase0.BeaconBlockHeader.hashTreeRoot(header),
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.beaconProposer, computeEpochAtSlot(header.slot)),
      );
    }
    case 'RANDAO_REVEAL':
      return computeSigningRoot(
        ssz.Epoch,
        request.epoch,
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.randao, request.epoch),
      );
    case 'VOLUNTARY_EXIT':
      // The client's fork_info carries EIP-7044's capella fork from deneb on (Lodestar, Nimbus).
      return computeSigningRoot(
        ssz.phase0.VoluntaryExit,
        request.voluntaryExit,
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.voluntaryExit, request.voluntaryExit.epoch),
      );
    case 'SYNC_COMMITTEE_MESSAGE':
      return computeSigningRoot(
        ssz.Root,
        request.beaconBlockRoot,
        forkInfoDomain(request.forkInfo, DOMAIN_TYPES.syncCommittee, computeEpochAtSlot(request.slot)),
      );
    case 'SYNC_COMMITTEE_SELECTION_PROOF':
      return computeSigningRoot(
        ssz.altair.SyncAggregatorSelectionData,
        { slot: request.slot, subcommitteeIndex: request.subcommitteeIndex },
        forkInfoDomain(
          request.forkInfo,
          DOMAIN_TYPES.syncCommitteeSelectionProof,
          computeEpochAtSlot(request.slot),
        ),
      );
    case 'SYNC_COMMITTEE_CONTRIBUTION_AND_PROOF':
      return computeSigningRoot(
        ssz.altair.ContributionAndProof,
        request.contributionAndProof,
        forkInfoDomain(
          request.forkInfo,
          DOMAIN_TYPES.contributionAndProof,
          computeEpochAtSlot(request.contributionAndProof.contribution.slot),
        ),
      );
  }
}
