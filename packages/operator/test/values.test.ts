// What a member accepts from another member's proposal, per duty: the value must be for this
// validator, slot and committee and agree with what the committee decided earlier in the slot;
// malformed bytes throw on decode (the consensus instance drops the message).
import { BitArray } from '@chainsafe/ssz';
import {
  attestationDataSigningRoot,
  blockSigningRoot,
  contributionAndProofSigningRoot,
  createSigningContext,
  forkScheduleFromSpec,
  ssz,
  syncCommitteeMessageSigningRoot,
} from '@diva-dvt/beacon-api/spec';
import { describe, expect, it } from 'vitest';
import { blockHeaderOf } from '../src/duties/values.ts';
import {
  aggregateValue,
  attestationDataValue,
  blockHeaderValue,
  contributionValue,
  syncHeadRootValue,
} from '../src/index.ts';
import { attestationData, MINIMAL_SPEC } from './helpers/beacon-node.ts';

const signing = createSigningContext({
  genesisValidatorsRoot: new Uint8Array(32).fill(0x5a),
  schedule: forkScheduleFromSpec(MINIMAL_SPEC),
});

describe('duty values', () => {
  it('attestation data: slot, committee and target epoch must match; round trip; signing root', () => {
    const vt = attestationDataValue(signing, { slot: 10, committeeIndex: 1, slotsPerEpoch: 8 });
    const data = attestationData(10, 1);
    expect(vt.isValid(data)).toBe(true);
    expect(vt.decode(vt.encode(data))).toEqual(data);
    expect(vt.signingRoot(data)).toEqual(attestationDataSigningRoot(signing, data));
    expect(vt.isValid(attestationData(11, 1))).toBe(false);
    expect(vt.isValid(attestationData(10, 2))).toBe(false);
    expect(vt.isValid({ ...data, target: { ...data.target, epoch: 2 } })).toBe(false);
    expect(vt.isValid({ ...data, source: { ...data.source, epoch: 5 } })).toBe(false);
    expect(() => vt.decode(new Uint8Array(5))).toThrow();
  });

  it("blocks are agreed over the header: slot and proposer must match; its root and signing root are the block's", () => {
    const vt = blockHeaderValue(signing, { slot: 9, proposerIndex: 4 });
    const block = ssz.altair.BeaconBlock.defaultValue();
    block.slot = 9;
    block.proposerIndex = 4;
    block.stateRoot = new Uint8Array(32).fill(7);
    block.body.graffiti = new Uint8Array(32).fill(9);
    const header = blockHeaderOf('altair', false, block);
    expect(ssz.phase0.BeaconBlockHeader.hashTreeRoot(header)).toEqual(
      ssz.altair.BeaconBlock.hashTreeRoot(block),
    );
    expect(vt.signingRoot(header)).toEqual(blockSigningRoot(signing, block));
    expect(vt.isValid(vt.decode(vt.encode(header)))).toBe(true);
    expect(vt.isValid({ ...header, proposerIndex: 5 })).toBe(false);
    expect(vt.isValid({ ...header, slot: 10 })).toBe(false);
    expect(vt.isValid(undefined as never)).toBe(false);
    // a full block's bytes are not a header (one value type for every member of the instance)
    expect(() => vt.decode(ssz.altair.BeaconBlock.serialize(block))).toThrow();
  });

  it('aggregates: the decided attestation data, this aggregator, its selection proof, some bits', () => {
    const data = attestationData(10, 1);
    const selectionProof = new Uint8Array(96).fill(3);
    const vt = aggregateValue(signing, { fork: 'altair', aggregatorIndex: 7, data, selectionProof });
    const good = {
      aggregatorIndex: 7,
      aggregate: {
        aggregationBits: BitArray.fromBoolArray([false, true]),
        data,
        signature: new Uint8Array(96),
      },
      selectionProof,
    };
    expect(vt.isValid(vt.decode(vt.encode(good)))).toBe(true);
    expect(vt.isValid({ ...good, aggregatorIndex: 8 })).toBe(false);
    expect(vt.isValid({ ...good, selectionProof: new Uint8Array(96) })).toBe(false);
    expect(vt.isValid({ ...good, aggregate: { ...good.aggregate, data: attestationData(10, 2) } })).toBe(
      false,
    );
    expect(
      vt.isValid({
        ...good,
        aggregate: { ...good.aggregate, aggregationBits: BitArray.fromBoolArray([false, false]) },
      }),
    ).toBe(false);
  });

  it('sync head roots: 32 bytes; contributions: slot, subcommittee, decided root, proof', () => {
    const vt = syncHeadRootValue(signing, 12);
    const root = new Uint8Array(32).fill(8);
    expect(vt.signingRoot(root)).toEqual(syncCommitteeMessageSigningRoot(signing, 12, root));
    expect(() => vt.decode(new Uint8Array(31))).toThrow(/32 bytes/);

    const selectionProof = new Uint8Array(96).fill(4);
    const cv = contributionValue(signing, {
      slot: 12,
      subcommitteeIndex: 2,
      aggregatorIndex: 7,
      beaconBlockRoot: root,
      selectionProof,
    });
    const contribution = ssz.altair.SyncCommitteeContribution.defaultValue();
    contribution.slot = 12;
    contribution.subcommitteeIndex = 2;
    contribution.beaconBlockRoot = root;
    const good = { aggregatorIndex: 7, contribution, selectionProof };
    expect(cv.isValid(cv.decode(cv.encode(good)))).toBe(true);
    expect(cv.signingRoot(good)).toEqual(contributionAndProofSigningRoot(signing, good));
    expect(cv.isValid({ ...good, contribution: { ...contribution, subcommitteeIndex: 1 } })).toBe(false);
    expect(
      cv.isValid({ ...good, contribution: { ...contribution, beaconBlockRoot: new Uint8Array(32) } }),
    ).toBe(false);
  });
});
