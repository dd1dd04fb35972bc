// A member's key share that signed two different roots in one consensus instance (the consensus
// library's `double-signed-partial` evidence), in the form EvidenceSlasher.proveDoubleAttestation
// and proveDoubleProposal take: the two values (SSZ, as consensus carries them), the two 96-byte
// partial signatures, and which share signed (share index, that generation's committee and public
// shares; the chain finds the draw from the group key and the generation from their hashes).
// Ethereum slashes only attestations (same target epoch, or one surrounding the other) and block
// proposals (same slot and proposer); other duties' conflicts, and a VOTE whose value this node never
// saw (a VOTE carries only its root), are kept too, marked unprovable with the reason.
import { ssz } from '@diva-dvt/beacon-api/spec';
import { decodeWire, type Evidence, ROTATIONAL_PROTOCOL, RotationalKind } from '@diva-dvt/consensus';
import type { OperatorAddress } from './committee/types.ts';
import type { SigningDutyType } from './errors.ts';

/** One of the two signed values: its root, its SSZ bytes when known, and the member's partial. */
export interface SignedShareValue {
  /** 32 bytes: the signing root the partial signs. */
  readonly root: Uint8Array;
  /** The value as consensus carries it (SSZ), or undefined when this node never saw it. */
  readonly value: Uint8Array | undefined;
  /** 96 bytes: the member's partial signature (compressed G2). */
  readonly partial: Uint8Array;
}

/** A member's share that signed two different roots of one consensus instance. */
export interface DoubleSignedPartial {
  readonly operator: OperatorAddress;
  /** 48 bytes: the validator (the chain finds its draw). */
  readonly groupPublicKey: Uint8Array;
  /** The consensus instance (the runtime's duty id). */
  readonly instance: `0x${string}`;
  /** 1-based. */
  readonly shareIndex: number;
  /** The committee the share belongs to, in share-index order (its generation's, on chain). */
  readonly committee: readonly OperatorAddress[];
  /** n × 48 bytes: the committee's public shares, in share-index order. */
  readonly publicShares: Uint8Array;
  readonly duty: SigningDutyType;
  readonly first: SignedShareValue;
  readonly second: SignedShareValue;
  /** Why the contract cannot punish it (kept, never submitted); undefined when it can. */
  readonly unprovable: string | undefined;
}

/** What `doubleSignedPartialOf` needs beside the evidence. */
export interface DoubleSignedPartialContext {
  readonly operator: OperatorAddress;
  readonly groupPublicKey: Uint8Array;
  readonly committee: readonly OperatorAddress[];
  readonly publicShares: Uint8Array;
  readonly duty: SigningDutyType;
  /** A value's signing root from its wire bytes (throws on malformed bytes). */
  readonly rootOf: (value: Uint8Array) => Uint8Array;
  /** The wire bytes of a value with this root that this node saw in the instance, if any. */
  readonly valueOf: (root: Uint8Array) => Uint8Array | undefined;
}

const hexOf = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString('hex')}`;
const equal = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** A length-prefixed field of `body` at `at` (u32 big-endian length), or undefined past the end. */
function field(body: Uint8Array, at: number): { bytes: Uint8Array; next: number } | undefined {
  if (at + 4 > body.length) return undefined;
  const length = new DataView(body.buffer, body.byteOffset + at, 4).getUint32(0);
  if (at + 4 + length > body.length) return undefined;
  return { bytes: body.subarray(at + 4, at + 4 + length), next: at + 4 + length };
}

/**
 * The root, partial and (in a ROUND-CHANGE) value a rotational VOTE or ROUND-CHANGE carries, with
 * its instance; undefined for any other message (the operator runs the rotational protocol only).
 */
function signedPartialIn(
  message: Uint8Array,
  rootOf: (value: Uint8Array) => Uint8Array,
):
  | { instance: Uint8Array; root: Uint8Array; value: Uint8Array | undefined; partial: Uint8Array }
  | undefined {
  try {
    const m = decodeWire(message);
    if (m.protocol !== ROTATIONAL_PROTOCOL) return undefined;
    if (m.kind === RotationalKind.Vote) {
      const partial = field(m.body, 32);
      if (partial === undefined) return undefined;
      return { instance: m.instance, root: m.body.subarray(0, 32), value: undefined, partial: partial.bytes };
    }
    if (m.kind === RotationalKind.RoundChange && m.body[0] === 1) {
      const value = field(m.body, 1);
      const partial = value === undefined ? undefined : field(m.body, value.next);
      if (value === undefined || partial === undefined) return undefined;
      return { instance: m.instance, root: rootOf(value.bytes), value: value.bytes, partial: partial.bytes };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The value a rotational PROPOSAL (wire bytes) carries, or undefined for another message. */
export function proposedValue(message: Uint8Array): Uint8Array | undefined {
  try {
    const m = decodeWire(message);
    if (m.protocol !== ROTATIONAL_PROTOCOL || m.kind !== RotationalKind.Proposal) return undefined;
    return field(m.body, 0)?.bytes;
  } catch {
    return undefined;
  }
}

/** Why the contract would refuse the two values of `duty` (undefined: it punishes them). */
export function unprovableReason(
  duty: SigningDutyType,
  first: Uint8Array | undefined,
  second: Uint8Array | undefined,
): string | undefined {
  if (duty !== 'attestation' && duty !== 'block') {
    return `${duty} signatures are not slashable on Ethereum: the contract has no proof for them`;
  }
  if (first === undefined || second === undefined) {
    return 'this node never saw the value of a signed root (a VOTE carries only its root)';
  }
  try {
    if (duty === 'block') {
      const [a, b] = [first, second].map((v) => ssz.phase0.BeaconBlockHeader.deserialize(v));
      if (a!.slot !== b!.slot || a!.proposerIndex !== b!.proposerIndex) {
        return 'two block headers of different slots or proposers: not a double proposal';
      }
      return ssz.phase0.BeaconBlockHeader.equals(a!, b!) ? 'the same block header twice' : undefined;
    }
    const [a, b] = [first, second].map((v) => ssz.phase0.AttestationData.deserialize(v));
    if (a!.target.epoch === b!.target.epoch) {
      return ssz.phase0.AttestationData.equals(a!, b!) ? 'the same attestation data twice' : undefined;
    }
    const surrounds = (x: typeof a, y: typeof a) =>
      x!.source.epoch < y!.source.epoch && y!.target.epoch < x!.target.epoch;
    return surrounds(a, b) || surrounds(b, a)
      ? undefined
      : 'attestations with different target epochs, neither surrounding the other: not slashable';
  } catch {
    return `a value is not a phase0 ${duty === 'block' ? 'BeaconBlockHeader' : 'AttestationData'}`;
  }
}

/**
 * The consensus library's double-signed-partial evidence with what the contract needs, or undefined
 * for another kind or messages that are not a rotational VOTE or ROUND-CHANGE of one instance with
 * a 96-byte partial over two different roots.
 */
export function doubleSignedPartialOf(
  evidence: Evidence,
  context: DoubleSignedPartialContext,
): DoubleSignedPartial | undefined {
  if (evidence.kind !== 'double-signed-partial') return undefined;
  const [a, b] = evidence.messages.map((m) => signedPartialIn(m, context.rootOf));
  if (a === undefined || b === undefined || !equal(a.instance, b.instance)) return undefined;
  if (equal(a.root, b.root) || a.partial.length !== 96 || b.partial.length !== 96) return undefined;
  const signed = (x: typeof a): SignedShareValue => {
    const value = x.value ?? context.valueOf(x.root);
    return { root: x.root.slice(), value: value?.slice(), partial: x.partial.slice() };
  };
  const first = signed(a);
  const second = signed(b);
  return {
    operator: context.operator,
    groupPublicKey: context.groupPublicKey,
    instance: hexOf(a.instance),
    shareIndex: evidence.member,
    committee: context.committee,
    publicShares: context.publicShares,
    duty: context.duty,
    first,
    second,
    unprovable: unprovableReason(context.duty, first.value, second.value),
  };
}
