// A consensus PROPOSAL in the form the evidence contract checks (packages/contracts,
// EvidenceSlasher.proveEquivocatingLeader): the EIP-712 digest of
//   Proposal(bytes32 instance,uint64 round,bytes32 valueRoot)
// under the domain { name "DivaConsensus", version "1", chainId, verifyingContract: the evidence
// contract }, signed with the leader's operator (secp256k1) key as Ethereum's 65-byte r ‖ s ‖ v
// (low s, v 27 or 28). This file is the one place where the consensus wire format meets the
// contract's: `instance` is the wire instance id (the runtime's sha256 duty id, 32 bytes), `round`
// the wire round (u32 widened to uint64), `valueRoot` the value's signing root, which is what the
// members' partial signatures sign (`ValueType.signingRoot(decode(value bytes))`).
import { ROTATIONAL_PROTOCOL, RotationalKind } from '@diva-dvt/consensus';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import type { OperatorAddress } from '../committee/types.ts';
import { OperatorError } from '../errors.ts';

/** The chain and evidence contract that a proposal signature is bound to (EIP-712 domain). */
export interface ProposalDomain {
  readonly chainId: number | bigint;
  /** The EvidenceSlasher's address (`deployDiva(...).evidenceSlasher`). */
  readonly evidenceContract: OperatorAddress;
}

/** A proposal as the contract reads it, with the leader's signature; `0x` hex (a contract edge). */
export interface SignedLeaderProposal {
  readonly instance: `0x${string}`;
  readonly round: bigint;
  readonly valueRoot: `0x${string}`;
  /** 65 bytes: r ‖ s ‖ v. */
  readonly signature: `0x${string}`;
}

/** version, protocol, kind, instance [32], round u32, sender u16, body length u32. */
const HEADER_BYTES = 45;
/** Half the secp256k1 group order: the contract (OpenZeppelin ECDSA) refuses a larger s. */
const HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e73_57a4501ddfe92f46681b20a0n;

const utf8 = (s: string) => new TextEncoder().encode(s);
const hexOf = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;

const DOMAIN_TYPEHASH = keccak_256(
  utf8('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
);
const PROPOSAL_TYPEHASH = keccak_256(utf8('Proposal(bytes32 instance,uint64 round,bytes32 valueRoot)'));

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** The EIP-712 domain separator of `domain` (what OpenZeppelin's EIP712 computes on chain). */
export function proposalDomainSeparator(domain: ProposalDomain): Uint8Array {
  const address = domain.evidenceContract;
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'proposalDomain.evidenceContract',
      reason: 'expected a 20-byte 0x address',
    });
  }
  const chainId = BigInt(domain.chainId);
  if (chainId <= 0n) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'proposalDomain.chainId',
      reason: 'expected a positive chain id',
    });
  }
  const encoded = new Uint8Array(5 * 32);
  encoded.set(DOMAIN_TYPEHASH, 0);
  encoded.set(keccak_256(utf8('DivaConsensus')), 32);
  encoded.set(keccak_256(utf8('1')), 64);
  encoded.set(word(chainId), 96);
  encoded.set(Buffer.from(address.slice(2), 'hex'), 128 + 12);
  return keccak_256(encoded);
}

/** The digest a leader signs: keccak256(0x1901 ‖ domain separator ‖ hashStruct(Proposal)). */
export function proposalDigest(
  domainSeparator: Uint8Array,
  instance: Uint8Array,
  round: number | bigint,
  valueRoot: Uint8Array,
): Uint8Array {
  const struct = new Uint8Array(4 * 32);
  struct.set(PROPOSAL_TYPEHASH, 0);
  struct.set(instance, 32);
  struct.set(word(BigInt(round)), 64);
  struct.set(valueRoot, 96);
  const message = new Uint8Array(2 + 64);
  message[0] = 0x19;
  message[1] = 0x01;
  message.set(domainSeparator, 2);
  message.set(keccak_256(struct), 34);
  return keccak_256(message);
}

/** The parts of a rotational PROPOSAL's signed bytes (header and body), or undefined for any other. */
export function readProposalPayload(
  payload: Uint8Array,
): { instance: Uint8Array; round: number; value: Uint8Array } | undefined {
  if (payload.length < HEADER_BYTES + 4) return undefined;
  if (payload[1] !== ROTATIONAL_PROTOCOL || payload[2] !== RotationalKind.Proposal) return undefined;
  const u32 = (at: number) =>
    ((payload[at]! << 24) | (payload[at + 1]! << 16) | (payload[at + 2]! << 8) | payload[at + 3]!) >>> 0;
  const valueLength = u32(HEADER_BYTES);
  if (u32(41) !== 4 + valueLength || HEADER_BYTES + 4 + valueLength !== payload.length) return undefined;
  return {
    instance: payload.subarray(3, 35),
    round: u32(35),
    value: payload.subarray(HEADER_BYTES + 4),
  };
}

/** Signs a digest as Ethereum does: 65 bytes r ‖ s ‖ v (low s, v = 27 + recovery bit). */
export function signDigest(digest: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const recovered = secp256k1.sign(digest, secretKey, { format: 'recovered', prehash: false });
  const out = new Uint8Array(65);
  out.set(recovered.subarray(1), 0);
  out[64] = 27 + recovered[0]!;
  return out;
}

/**
 * Whether `signature` (r ‖ s ‖ v) over `digest` recovers to `publicKey` (33-byte compressed) with
 * the rules of the contract's ecrecover: 65 bytes, v 27 or 28, s at most n/2.
 */
export function recoversTo(digest: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 65) return false;
  const v = signature[64]!;
  if (v !== 27 && v !== 28) return false;
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature[i]!);
  if (s === 0n || s > HALF_N) return false;
  const recovered = new Uint8Array(65);
  recovered[0] = v - 27;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    const key = secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
    return key.length === publicKey.length && key.every((b, i) => b === publicKey[i]);
  } catch {
    return false;
  }
}

/**
 * A signed rotational PROPOSAL (wire bytes) in the contract's form, or undefined when the bytes
 * are not one, its value does not decode (`rootOf` throws) or its signature is not 65 bytes.
 */
export function leaderProposalOf(
  message: Uint8Array,
  rootOf: (value: Uint8Array) => Uint8Array,
): SignedLeaderProposal | undefined {
  if (message.length < HEADER_BYTES + 4 + 2) return undefined;
  const bodyLength = ((message[41]! << 24) | (message[42]! << 16) | (message[43]! << 8) | message[44]!) >>> 0;
  const end = HEADER_BYTES + bodyLength;
  if (end + 2 > message.length) return undefined;
  const signatureLength = (message[end]! << 8) | message[end + 1]!;
  if (signatureLength !== 65 || end + 2 + 65 !== message.length) return undefined;
  const parts = readProposalPayload(message.subarray(0, end));
  if (parts === undefined) return undefined;
  let root: Uint8Array;
  try {
    root = rootOf(parts.value);
  } catch {
    return undefined;
  }
  return {
    instance: hexOf(parts.instance),
    round: BigInt(parts.round),
    valueRoot: hexOf(root),
    signature: hexOf(message.subarray(end + 2)),
  };
}
