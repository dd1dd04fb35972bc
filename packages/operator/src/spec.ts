// The chain constants a validator's duties depend on, read from the beacon node's
// `GET /eth/v1/config/spec` (never assumed): slot length and epoch size, aggregator selection
// targets (phase0 and altair validator.md), the sync committee's subnet layout, and the times within
// a slot at which duties are due. The due times are the `*_DUE_BPS` values of the newer consensus
// specs (basis points of a slot) when the node sends them, else the honest-validator thirds.
import type { SpecValue } from '@diva-dvt/beacon-api';
import { OperatorError } from './errors.ts';

export interface ValidatorSpec {
  /** PRESET_BASE: `mainnet` or `minimal` (the SSZ types of this process must match it). */
  readonly presetBase: string;
  /** SLOT_DURATION_MS, or SECONDS_PER_SLOT × 1000. */
  readonly slotDurationMs: number;
  readonly slotsPerEpoch: number;
  readonly targetAggregatorsPerCommittee: number;
  readonly syncCommitteeSize: number;
  readonly syncCommitteeSubnetCount: number;
  /** SYNC_COMMITTEE_SIZE / SYNC_COMMITTEE_SUBNET_COUNT. */
  readonly syncSubcommitteeSize: number;
  readonly targetAggregatorsPerSyncSubcommittee: number;
  /** When attestations are due, in basis points of the slot (ATTESTATION_DUE_BPS, default 3333). */
  readonly attestationDueBps: number;
  /** AGGREGATE_DUE_BPS, default 6667. */
  readonly aggregateDueBps: number;
  /** SYNC_MESSAGE_DUE_BPS, default 3333. */
  readonly syncMessageDueBps: number;
  /** CONTRIBUTION_DUE_BPS, default 6667. */
  readonly contributionDueBps: number;
}

type Spec = Readonly<Record<string, SpecValue>>;

function uint(spec: Spec, field: string, fallback?: number): number {
  const v = spec[field];
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'string' || !/^[0-9]{1,15}$/.test(v)) {
    throw new OperatorError({
      code: 'INVALID_SPEC',
      field,
      reason: v === undefined ? 'missing' : 'expected a decimal integer',
    });
  }
  return Number(v);
}

function positive(spec: Spec, field: string, fallback?: number): number {
  const n = uint(spec, field, fallback);
  if (n === 0) throw new OperatorError({ code: 'INVALID_SPEC', field, reason: 'must not be 0' });
  return n;
}

function bps(spec: Spec, field: string, fallback: number): number {
  const n = uint(spec, field, fallback);
  if (n > 10_000) throw new OperatorError({ code: 'INVALID_SPEC', field, reason: 'more than a slot' });
  return n;
}

/** Reads the duty constants out of a `getSpec` response; throws INVALID_SPEC naming the field. */
export function parseValidatorSpec(spec: Spec): ValidatorSpec {
  const presetBase = spec.PRESET_BASE;
  if (typeof presetBase !== 'string' || presetBase === '') {
    throw new OperatorError({ code: 'INVALID_SPEC', field: 'PRESET_BASE', reason: 'missing' });
  }
  const slotDurationMs =
    spec.SLOT_DURATION_MS !== undefined
      ? positive(spec, 'SLOT_DURATION_MS')
      : positive(spec, 'SECONDS_PER_SLOT') * 1000;
  const syncCommitteeSize = positive(spec, 'SYNC_COMMITTEE_SIZE');
  const syncCommitteeSubnetCount = positive(spec, 'SYNC_COMMITTEE_SUBNET_COUNT');
  if (syncCommitteeSize % syncCommitteeSubnetCount !== 0) {
    throw new OperatorError({
      code: 'INVALID_SPEC',
      field: 'SYNC_COMMITTEE_SUBNET_COUNT',
      reason: `does not divide SYNC_COMMITTEE_SIZE ${syncCommitteeSize}`,
    });
  }
  return {
    presetBase,
    slotDurationMs,
    slotsPerEpoch: positive(spec, 'SLOTS_PER_EPOCH'),
    targetAggregatorsPerCommittee: positive(spec, 'TARGET_AGGREGATORS_PER_COMMITTEE'),
    syncCommitteeSize,
    syncCommitteeSubnetCount,
    syncSubcommitteeSize: syncCommitteeSize / syncCommitteeSubnetCount,
    targetAggregatorsPerSyncSubcommittee: positive(spec, 'TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE'),
    attestationDueBps: bps(spec, 'ATTESTATION_DUE_BPS', 3333),
    aggregateDueBps: bps(spec, 'AGGREGATE_DUE_BPS', 6667),
    syncMessageDueBps: bps(spec, 'SYNC_MESSAGE_DUE_BPS', 3333),
    contributionDueBps: bps(spec, 'CONTRIBUTION_DUE_BPS', 6667),
  };
}
