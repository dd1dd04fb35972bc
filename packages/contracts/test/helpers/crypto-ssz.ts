// SSZ types of the beacon containers our contracts hash (@chainsafe/ssz 1.9.0, as the consensus
// clients use), and the signing-root helpers of the consensus specification.
import {
  BooleanType,
  ByteVectorType,
  ContainerType,
  ListCompositeType,
  UintBigintType,
  UintNumberType,
} from '@chainsafe/ssz';

export const Bytes4 = new ByteVectorType(4);
export const Bytes32 = new ByteVectorType(32);
export const Bytes48 = new ByteVectorType(48);
export const Bytes96 = new ByteVectorType(96);
export const Uint64 = new UintBigintType(8);
export const Uint64Num = new UintNumberType(8);

export const DepositMessage = new ContainerType({
  pubkey: Bytes48,
  withdrawalCredentials: Bytes32,
  amount: Uint64,
});
export const DepositData = new ContainerType({
  pubkey: Bytes48,
  withdrawalCredentials: Bytes32,
  amount: Uint64,
  signature: Bytes96,
});
export const DepositDataList = new ListCompositeType(DepositData, 2 ** 32);
export const ForkData = new ContainerType({ currentVersion: Bytes4, genesisValidatorsRoot: Bytes32 });
export const SigningData = new ContainerType({ objectRoot: Bytes32, domain: Bytes32 });
export const Checkpoint = new ContainerType({ epoch: Uint64, root: Bytes32 });
export const AttestationData = new ContainerType({
  slot: Uint64,
  index: Uint64,
  beaconBlockRoot: Bytes32,
  source: Checkpoint,
  target: Checkpoint,
});
export const BeaconBlockHeader = new ContainerType({
  slot: Uint64,
  proposerIndex: Uint64,
  parentRoot: Bytes32,
  stateRoot: Bytes32,
  bodyRoot: Bytes32,
});
export const Validator = new ContainerType({
  pubkey: Bytes48,
  withdrawalCredentials: Bytes32,
  effectiveBalance: Uint64,
  slashed: new BooleanType(),
  activationEligibilityEpoch: Uint64,
  activationEpoch: Uint64,
  exitEpoch: Uint64,
  withdrawableEpoch: Uint64,
});
export const ValidatorList = new ListCompositeType(Validator, 2 ** 40);

export const DOMAIN_BEACON_PROPOSER = Uint8Array.of(0, 0, 0, 0);
export const DOMAIN_BEACON_ATTESTER = Uint8Array.of(1, 0, 0, 0);
export const DOMAIN_DEPOSIT = Uint8Array.of(3, 0, 0, 0);

/** compute_domain(domain_type, fork_version, genesis_validators_root). */
export function computeDomain(
  domainType: Uint8Array,
  forkVersion: Uint8Array,
  genesisValidatorsRoot: Uint8Array,
) {
  const forkDataRoot = ForkData.hashTreeRoot({ currentVersion: forkVersion, genesisValidatorsRoot });
  const out = new Uint8Array(32);
  out.set(domainType, 0);
  out.set(forkDataRoot.subarray(0, 28), 4);
  return out;
}

/** compute_signing_root(object_root, domain). */
export function computeSigningRoot(objectRoot: Uint8Array, domain: Uint8Array) {
  return SigningData.hashTreeRoot({ objectRoot, domain });
}
