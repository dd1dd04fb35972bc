// Beacon-state Merkle proofs for DkgResultRegistry.confirmByProof: a validator record proven up to a
// beacon block root (header -> state_root -> validators -> list data -> element), built from SSZ
// (Lodestar's SSZ types from @diva-dvt/beacon-api for the roots we cross-check) and a plain SHA-256
// tree for the branch.
import { ssz } from '@diva-dvt/beacon-api/spec';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import { u64 } from './crypto-ssz.ts';

const { BeaconBlockHeader, Validator, Validators: ValidatorList } = ssz.phase0;
type ValidatorValue = ReturnType<typeof Validator.defaultValue>;

const hash = (a: Uint8Array, b: Uint8Array) => {
  const x = new Uint8Array(64);
  x.set(a, 0);
  x.set(b, 32);
  return sha256(x);
};

const zeroHashes: Uint8Array[] = [new Uint8Array(32)];
for (let i = 1; i <= 64; i++) zeroHashes.push(hash(zeroHashes[i - 1]!, zeroHashes[i - 1]!));

/** Root of a depth-`depth` tree over `leaves` (zero-padded), and the branch of leaf `index` (leaf upward). */
export function merkleBranch(
  leaves: readonly Uint8Array[],
  depth: number,
  index: number,
): { root: Uint8Array; branch: Uint8Array[] } {
  let level = [...leaves];
  let i = index;
  const branch: Uint8Array[] = [];
  for (let d = 0; d < depth; d++) {
    const sibling = i ^ 1;
    branch.push(level[sibling] ?? zeroHashes[d]!);
    const next: Uint8Array[] = [];
    for (let k = 0; k < level.length; k += 2) next.push(hash(level[k]!, level[k + 1] ?? zeroHashes[d]!));
    level = next;
    i >>= 1;
  }
  return { root: level[0] ?? zeroHashes[depth]!, branch };
}

const lengthChunk = (n: number) => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

/**
 * A beacon block whose state holds `validators` (an Electra-shaped state: 64 field leaves, validators at
 * field 11; the other fields are random-looking but fixed). Returns the block root and the proof of
 * validators[index].
 */
export function buildValidatorProof(validators: readonly ValidatorValue[], index: number, seed = 1) {
  const leaves = validators.map((v) => Validator.hashTreeRoot(v));
  const data = merkleBranch(leaves, 40, index);
  const listRoot = hash(data.root, lengthChunk(validators.length));
  if (bytesToHex(listRoot) !== bytesToHex(ValidatorList.hashTreeRoot([...validators]))) {
    throw new Error('validator list root differs from @chainsafe/ssz');
  }
  const fields = Array.from({ length: 37 }, (_, k) => sha256(Uint8Array.of(seed, k)));
  fields[11] = listRoot;
  const state = merkleBranch(fields, 6, 11);
  const header = {
    slot: 1234,
    proposerIndex: 7,
    parentRoot: sha256(Uint8Array.of(seed, 100)),
    stateRoot: state.root,
    bodyRoot: sha256(Uint8Array.of(seed, 101)),
  };
  const headerLeaves = [
    BeaconBlockHeader.fields.slot.hashTreeRoot(header.slot),
    BeaconBlockHeader.fields.proposerIndex.hashTreeRoot(header.proposerIndex),
    header.parentRoot,
    header.stateRoot,
    header.bodyRoot,
  ];
  const top = merkleBranch(headerLeaves, 3, 3);
  if (bytesToHex(top.root) !== bytesToHex(BeaconBlockHeader.hashTreeRoot(header))) {
    throw new Error('header root differs from @chainsafe/ssz');
  }
  const branch = [...data.branch, lengthChunk(validators.length), ...state.branch, ...top.branch].map((b) =>
    bytesToHex(b),
  );
  return { blockRoot: bytesToHex(top.root), branch: branch as Hex[] };
}

export function validatorValue(
  pubkey: Hex,
  withdrawalCredentials: Hex,
  effectiveBalanceGwei = 1_000_000_000,
): ValidatorValue {
  return {
    pubkey: hexToBytes(pubkey),
    withdrawalCredentials: hexToBytes(withdrawalCredentials),
    effectiveBalance: effectiveBalanceGwei,
    slashed: false,
    activationEligibilityEpoch: 5,
    activationEpoch: Number.POSITIVE_INFINITY, // FAR_FUTURE_EPOCH, 2^64 - 1
    exitEpoch: Number.POSITIVE_INFINITY,
    withdrawableEpoch: Number.POSITIVE_INFINITY,
  };
}

/** The Validator struct as the contract ABI takes it. */
export function validatorArg(v: ValidatorValue) {
  return {
    pubkey: bytesToHex(v.pubkey),
    withdrawalCredentials: bytesToHex(v.withdrawalCredentials),
    effectiveBalance: u64(v.effectiveBalance),
    slashed: v.slashed,
    activationEligibilityEpoch: u64(v.activationEligibilityEpoch),
    activationEpoch: u64(v.activationEpoch),
    exitEpoch: u64(v.exitEpoch),
    withdrawableEpoch: u64(v.withdrawableEpoch),
  };
}
