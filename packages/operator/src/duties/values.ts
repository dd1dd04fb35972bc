// The values a committee agrees on, one `ValueType` per duty: how a value travels in consensus
// messages (SSZ), whether a member may sign it for this duty (`isValid`: the checks a member makes
// on a value another member proposed — it must be for this validator, this slot, this committee,
// and agree with what the committee decided earlier in the slot), and its signing root. Decoding
// throws on malformed bytes (the consensus instance drops the message); `isValid` never throws.
import {
  type AnyBlock,
  type AttestationData,
  aggregateAndProofSigningRoot,
  aggregateAndProofType,
  attestationDataSigningRoot,
  type BeaconBlockHeader,
  blockHeaderSigningRoot,
  blockType,
  type ContributionAndProof,
  contributionAndProofSigningRoot,
  type ElectraAggregateAndProof,
  type Fork,
  type Phase0AggregateAndProof,
  type SigningContext,
  ssz,
  syncCommitteeMessageSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import type { ValueType } from '@diva-dvt/consensus';
import { OperatorError } from '../errors.ts';

/** A check that throws (SSZ getters on hostile input) counts as invalid. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

interface SszType<T> {
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/** A value type over an SSZ type: `check` runs safely (a throw is invalid). */
function sszValue<T>(
  type: SszType<T>,
  check: (value: T) => boolean,
  signingRoot: (value: T) => Uint8Array,
): ValueType<T> {
  return {
    encode: (v) => type.serialize(v),
    decode: (bytes) => type.deserialize(bytes),
    isValid: (v) => safely(() => check(v)),
    signingRoot,
  };
}

/** What every aggregate a member signs must be: this aggregator's, of the decided data, with bits. */
function isOurAggregate(
  v: Phase0AggregateAndProof | ElectraAggregateAndProof,
  duty: {
    readonly aggregatorIndex: number;
    readonly data: AttestationData;
    readonly selectionProof: Uint8Array;
  },
): boolean {
  return (
    v.aggregatorIndex === duty.aggregatorIndex &&
    ssz.phase0.AttestationData.equals(v.aggregate.data, duty.data) &&
    Buffer.compare(v.selectionProof, duty.selectionProof) === 0 &&
    v.aggregate.aggregationBits.getTrueBitIndexes().length > 0
  );
}

/**
 * Attestation data for one committee at one slot. The source and target are not checked against
 * this node's view here: slashing protection decides (surround and double votes are refused).
 */
export function attestationDataValue(
  signing: SigningContext,
  duty: { readonly slot: number; readonly committeeIndex: number; readonly slotsPerEpoch: number },
): ValueType<AttestationData> {
  return sszValue(
    ssz.phase0.AttestationData,
    (v) =>
      v.slot === duty.slot &&
      v.index === duty.committeeIndex &&
      v.source.epoch <= v.target.epoch &&
      v.target.epoch === Math.floor(duty.slot / duty.slotsPerEpoch),
    (v) => attestationDataSigningRoot(signing, v),
  );
}

/**
 * Electra attestation data (EIP-7549): the committee moved out of the signed data, so `index` must
 * be 0; the duty's committee travels beside it (SingleAttestation.committee_index, the aggregate's
 * committee_bits). Otherwise the checks of `attestationDataValue`.
 */
export function electraAttestationDataValue(
  signing: SigningContext,
  duty: { readonly slot: number; readonly slotsPerEpoch: number },
): ValueType<AttestationData> {
  return attestationDataValue(signing, { ...duty, committeeIndex: 0 });
}

/**
 * The header of the validator's block at its slot: the one value type of every block duty, whether
 * the member runs the built-in client (it proposes the header of the block its beacon node made,
 * ./block.ts) or serves a validator client through the Web3Signer API (which sends only the header
 * from bellatrix on, ../web3signer/committee-duties.ts), so both kinds of members meet in one
 * consensus instance over one encoding. A header's hash_tree_root is the block's (full or blinded),
 * so its signing root is the block's and the block guard (slashing protection) applies unchanged.
 * Members check slot and proposer, as they checked full blocks: the body is not seen, so a faulty
 * member can get a poor body signed (a missed or poorer proposal, never a slashing).
 */
export function blockHeaderValue(
  signing: SigningContext,
  duty: { readonly slot: number; readonly proposerIndex: number },
): ValueType<BeaconBlockHeader> {
  return sszValue(
    ssz.phase0.BeaconBlockHeader,
    (v) => v.slot === duty.slot && v.proposerIndex === duty.proposerIndex,
    (v) => blockHeaderSigningRoot(signing, v),
  );
}

/** The header of a (full or blinded) block of `fork`: body_root is its body's hash_tree_root. */
export function blockHeaderOf(fork: Fork, blinded: boolean, block: AnyBlock): BeaconBlockHeader {
  const type = blockType(fork, blinded) as unknown as {
    readonly fields: { readonly body: { hashTreeRoot(body: unknown): Uint8Array } };
  };
  const b: Omit<BeaconBlockHeader, 'bodyRoot'> & { readonly body: unknown } = block;
  return {
    slot: b.slot,
    proposerIndex: b.proposerIndex,
    parentRoot: b.parentRoot,
    stateRoot: b.stateRoot,
    bodyRoot: type.fields.body.hashTreeRoot(b.body),
  };
}

/**
 * The aggregate a selected aggregator signs: it must aggregate the attestation data the committee
 * decided for this slot and carry this validator's selection proof.
 */
export function aggregateValue(
  signing: SigningContext,
  duty: {
    readonly fork: Fork;
    readonly aggregatorIndex: number;
    readonly data: AttestationData;
    readonly selectionProof: Uint8Array;
  },
): ValueType<Phase0AggregateAndProof> {
  return sszValue<Phase0AggregateAndProof>(
    aggregateAndProofType(duty.fork, false),
    (v) => isOurAggregate(v, duty),
    (v) => aggregateAndProofSigningRoot(signing, v),
  );
}

/**
 * The electra aggregate a selected aggregator signs (EIP-7549): besides `aggregateValue`'s checks,
 * its committee_bits must name exactly the aggregator's committee (an aggregate of one committee,
 * as validator.md's get_aggregate_and_proof builds it).
 */
export function electraAggregateValue(
  signing: SigningContext,
  duty: {
    readonly aggregatorIndex: number;
    readonly committeeIndex: number;
    readonly data: AttestationData;
    readonly selectionProof: Uint8Array;
  },
): ValueType<ElectraAggregateAndProof> {
  return sszValue(
    ssz.electra.AggregateAndProof,
    (v) => {
      const committees = v.aggregate.committeeBits.getTrueBitIndexes();
      return committees.length === 1 && committees[0] === duty.committeeIndex && isOurAggregate(v, duty);
    },
    (v) => aggregateAndProofSigningRoot(signing, v),
  );
}

/** The head block root a sync committee member signs at `slot`. */
export function syncHeadRootValue(signing: SigningContext, slot: number): ValueType<Uint8Array> {
  return {
    encode: (v) => v,
    decode: (bytes) => {
      if (bytes.length !== 32) {
        throw new OperatorError({
          code: 'UNEXPECTED_RESPONSE',
          duty: 'sync-committee-message',
          field: 'beaconBlockRoot',
          reason: `a block root has 32 bytes, got ${bytes.length}`,
        });
      }
      return bytes.slice();
    },
    isValid: (v) => v.length === 32,
    signingRoot: (v) => syncCommitteeMessageSigningRoot(signing, slot, v),
  };
}

/**
 * A sync committee contribution: for this slot and subcommittee, to the head root the committee
 * decided for the sync message, with this validator's selection proof.
 */
export function contributionValue(
  signing: SigningContext,
  duty: {
    readonly slot: number;
    readonly subcommitteeIndex: number;
    readonly aggregatorIndex: number;
    readonly beaconBlockRoot: Uint8Array;
    readonly selectionProof: Uint8Array;
  },
): ValueType<ContributionAndProof> {
  return sszValue(
    ssz.altair.ContributionAndProof,
    (v) =>
      v.aggregatorIndex === duty.aggregatorIndex &&
      v.contribution.slot === duty.slot &&
      v.contribution.subcommitteeIndex === duty.subcommitteeIndex &&
      Buffer.compare(v.contribution.beaconBlockRoot, duty.beaconBlockRoot) === 0 &&
      Buffer.compare(v.selectionProof, duty.selectionProof) === 0,
    (v) => contributionAndProofSigningRoot(signing, v),
  );
}
