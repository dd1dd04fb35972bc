// The electra value types (EIP-7549): attestation data whose index must be 0, and aggregates whose
// committee_bits must name exactly the aggregator's committee; round trips and signing roots.
import { BitArray } from '@chainsafe/ssz';
import {
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  createSigningContext,
  type ElectraAggregateAndProof,
  forkScheduleFromSpec,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import { describe, expect, it } from 'vitest';
import { attestationDataValue, electraAggregateValue, electraAttestationDataValue } from '../src/index.ts';
import { attestationData } from './helpers/beacon-node.ts';
import { ELECTRA_SPEC, electraAttestationData } from './helpers/beacon-node-electra.ts';

const signing = createSigningContext({
  genesisValidatorsRoot: new Uint8Array(32).fill(0x5a),
  schedule: forkScheduleFromSpec(ELECTRA_SPEC),
});

function aggregate(committees: number[], data = electraAttestationData(10)): ElectraAggregateAndProof {
  const committeeBits = ssz.electra.Attestation.defaultValue().committeeBits;
  for (const c of committees) committeeBits.set(c, true);
  return {
    aggregatorIndex: 5,
    aggregate: {
      aggregationBits: BitArray.fromBoolArray([true, false, true, true]),
      data,
      signature: new Uint8Array(96),
      committeeBits,
    },
    selectionProof: new Uint8Array(96).fill(3),
  };
}

describe('electra duty values', () => {
  it('attestation data: index must be 0 (the committee is not signed), the other checks as before', () => {
    const vt = electraAttestationDataValue(signing, { slot: 10, slotsPerEpoch: 8 });
    const data = electraAttestationData(10);
    expect(vt.isValid(data)).toBe(true);
    expect(vt.decode(vt.encode(data))).toEqual(data);
    expect(vt.signingRoot(data)).toEqual(attestationDataSigningRoot(signing, data));
    expect(vt.isValid(attestationData(10, 1))).toBe(false);
    expect(vt.isValid(electraAttestationData(11))).toBe(false);
    expect(vt.isValid({ ...data, target: { ...data.target, epoch: 0 } })).toBe(false);
    // the altair value type still requires the committee as index
    expect(
      attestationDataValue(signing, { slot: 10, committeeIndex: 1, slotsPerEpoch: 8 }).isValid(data),
    ).toBe(false);
  });

  it('aggregate: exactly the aggregator committee in committee_bits, the decided data, its selection proof', () => {
    const duty = {
      aggregatorIndex: 5,
      committeeIndex: 1,
      data: electraAttestationData(10),
      selectionProof: new Uint8Array(96).fill(3),
    };
    const vt = electraAggregateValue(signing, duty);
    const value = aggregate([1]);
    expect(vt.isValid(value)).toBe(true);
    const decoded = vt.decode(vt.encode(value));
    expect(vt.isValid(decoded)).toBe(true);
    expect(decoded.aggregate.committeeBits.getTrueBitIndexes()).toEqual([1]);
    expect(vt.signingRoot(value)).toEqual(aggregateAndProofSigningRoot(signing, value));
    expect(vt.isValid(aggregate([2]))).toBe(false);
    expect(vt.isValid(aggregate([1, 2]))).toBe(false);
    expect(vt.isValid(aggregate([]))).toBe(false);
    expect(vt.isValid(aggregate([1], electraAttestationData(9)))).toBe(false);
    expect(vt.isValid({ ...value, aggregatorIndex: 6 })).toBe(false);
    expect(vt.isValid({ ...value, selectionProof: new Uint8Array(96) })).toBe(false);
    const none = aggregate([1]);
    none.aggregate.aggregationBits = BitArray.fromBitLen(4);
    expect(vt.isValid(none)).toBe(false);
    expect(vt.isValid(undefined as never)).toBe(false);
    expect(() => vt.decode(new Uint8Array(7))).toThrow();
  });
});
