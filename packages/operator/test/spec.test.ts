// Reading the duty constants out of GET /eth/v1/config/spec.
import { describe, expect, it } from 'vitest';
import { isOperatorError, parseValidatorSpec } from '../src/index.ts';
import { MINIMAL_SPEC } from './helpers/beacon-node.ts';

const mainnet = {
  ...MINIMAL_SPEC,
  PRESET_BASE: 'mainnet',
  SECONDS_PER_SLOT: '12',
  SLOTS_PER_EPOCH: '32',
  SYNC_COMMITTEE_SIZE: '512',
};

function specError(spec: Record<string, string>) {
  try {
    parseValidatorSpec(spec);
  } catch (e) {
    if (isOperatorError(e, 'INVALID_SPEC')) return e.details;
    throw e;
  }
  throw new Error('parsed');
}

describe('parseValidatorSpec', () => {
  it('reads slot length, epoch size, aggregator targets and the sync subcommittee size', () => {
    expect(parseValidatorSpec(MINIMAL_SPEC)).toEqual({
      presetBase: 'minimal',
      slotDurationMs: 6_000,
      slotsPerEpoch: 8,
      targetAggregatorsPerCommittee: 16,
      syncCommitteeSize: 32,
      syncCommitteeSubnetCount: 4,
      syncSubcommitteeSize: 8,
      targetAggregatorsPerSyncSubcommittee: 16,
      attestationDueBps: 3333,
      aggregateDueBps: 6667,
      syncMessageDueBps: 3333,
      contributionDueBps: 6667,
    });
    expect(parseValidatorSpec(mainnet)).toMatchObject({
      slotDurationMs: 12_000,
      slotsPerEpoch: 32,
      syncSubcommitteeSize: 128,
    });
  });

  it('prefers SLOT_DURATION_MS and the *_DUE_BPS values of newer specs when the node sends them', () => {
    const spec = parseValidatorSpec({
      ...mainnet,
      SLOT_DURATION_MS: '6000',
      ATTESTATION_DUE_BPS: '2500',
      AGGREGATE_DUE_BPS: '5000',
      SYNC_MESSAGE_DUE_BPS: '2500',
      CONTRIBUTION_DUE_BPS: '5000',
    });
    expect(spec).toMatchObject({
      slotDurationMs: 6_000,
      attestationDueBps: 2500,
      aggregateDueBps: 5000,
      syncMessageDueBps: 2500,
      contributionDueBps: 5000,
    });
  });

  it('names the field that is missing or unusable', () => {
    const { SLOTS_PER_EPOCH: _, ...noEpoch } = MINIMAL_SPEC;
    expect(specError(noEpoch)).toEqual({ code: 'INVALID_SPEC', field: 'SLOTS_PER_EPOCH', reason: 'missing' });
    expect(specError({ ...MINIMAL_SPEC, SECONDS_PER_SLOT: '6.5' })).toMatchObject({
      field: 'SECONDS_PER_SLOT',
    });
    expect(specError({ ...MINIMAL_SPEC, TARGET_AGGREGATORS_PER_COMMITTEE: '0' })).toMatchObject({
      field: 'TARGET_AGGREGATORS_PER_COMMITTEE',
      reason: 'must not be 0',
    });
    expect(specError({ ...MINIMAL_SPEC, SYNC_COMMITTEE_SUBNET_COUNT: '5' })).toMatchObject({
      field: 'SYNC_COMMITTEE_SUBNET_COUNT',
    });
    expect(specError({ ...MINIMAL_SPEC, ATTESTATION_DUE_BPS: '10001' })).toMatchObject({
      field: 'ATTESTATION_DUE_BPS',
    });
    const { PRESET_BASE: __, ...noPreset } = MINIMAL_SPEC;
    expect(specError(noPreset)).toMatchObject({ field: 'PRESET_BASE' });
  });
});
