// The connected node's chain spec, typed: `GET /eth/v1/config/spec` answers a flat map of strings
// (preset values, config values and spec constants, as in the consensus-specs YAML files); a
// validator runtime schedules duties with a handful of them (slot time, slots per epoch, committee
// and sync committee sizes, aggregator targets). `parseChainSpec` reads those as numbers, checked,
// and keeps the whole map in `values`. Names are the spec's own, so they can be searched for in
// the consensus specs.
import { BeaconApiError } from './errors.ts';
import type { SpecValue } from './routes/config.ts';

/** The spec values a validator runtime needs, as numbers, plus the node's whole map. */
export interface ChainSpec {
  /** `mainnet` or `minimal` (the SSZ preset the node's types are built for). */
  readonly PRESET_BASE: string;
  /** The network's config name (`mainnet`, `holesky`, ...) when the node sends it. */
  readonly CONFIG_NAME: string | undefined;
  /** SECONDS_PER_SLOT, or SLOT_DURATION_MS / 1000 when the node sends only that. */
  readonly SECONDS_PER_SLOT: number;
  /** SLOT_DURATION_MS, or SECONDS_PER_SLOT × 1000 when the node sends only that. */
  readonly SLOT_DURATION_MS: number;
  readonly SLOTS_PER_EPOCH: number;
  readonly MAX_COMMITTEES_PER_SLOT: number;
  readonly TARGET_COMMITTEE_SIZE: number;
  readonly SYNC_COMMITTEE_SIZE: number;
  readonly EPOCHS_PER_SYNC_COMMITTEE_PERIOD: number;
  /** Spec constant (16); the node's value when it sends one. */
  readonly TARGET_AGGREGATORS_PER_COMMITTEE: number;
  /** Spec constant (4); the node's value when it sends one. */
  readonly SYNC_COMMITTEE_SUBNET_COUNT: number;
  /** Spec constant (16); the node's value when it sends one. */
  readonly TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: number;
  /** Spec constant (64); the node's value when it sends one. */
  readonly ATTESTATION_SUBNET_COUNT: number;
  /** Every value the node sent, as sent. */
  readonly values: Readonly<Record<string, SpecValue>>;
}

/** Constants of the consensus specs (phase0 validator guide, altair), not configurable per network. */
const SPEC_CONSTANTS = {
  TARGET_AGGREGATORS_PER_COMMITTEE: 16,
  SYNC_COMMITTEE_SUBNET_COUNT: 4,
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: 16,
  ATTESTATION_SUBNET_COUNT: 64,
} as const;

const REQUIRED = [
  'SLOTS_PER_EPOCH',
  'MAX_COMMITTEES_PER_SLOT',
  'TARGET_COMMITTEE_SIZE',
  'SYNC_COMMITTEE_SIZE',
  'EPOCHS_PER_SYNC_COMMITTEE_PERIOD',
] as const;

function invalid(field: string, reason: string): BeaconApiError {
  return new BeaconApiError({ code: 'INVALID_CONFIG', field, reason });
}

/** A positive decimal integer value of `key`; undefined when absent. */
function positive(values: Readonly<Record<string, SpecValue>>, key: string): number | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^[0-9]{1,15}$/.test(v) || Number(v) === 0) {
    throw invalid(key, `expected a positive decimal integer, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

function text(values: Readonly<Record<string, SpecValue>>, key: string): string | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(key, 'expected a string');
  return v;
}

/**
 * Reads the `/eth/v1/config/spec` map (`(await api.getSpec()).data`). Throws INVALID_CONFIG naming
 * the key when a needed value is missing or not a positive integer; the four spec constants take
 * their spec values when the node leaves them out.
 */
export function parseChainSpec(values: Readonly<Record<string, SpecValue>>): ChainSpec {
  const preset = text(values, 'PRESET_BASE');
  if (preset === undefined) throw invalid('PRESET_BASE', 'missing from the spec');
  const required = {} as Record<(typeof REQUIRED)[number], number>;
  for (const key of REQUIRED) {
    const v = positive(values, key);
    if (v === undefined) throw invalid(key, 'missing from the spec');
    required[key] = v;
  }
  const seconds = positive(values, 'SECONDS_PER_SLOT');
  const ms = positive(values, 'SLOT_DURATION_MS');
  if (seconds === undefined && ms === undefined) {
    throw invalid('SECONDS_PER_SLOT', 'missing from the spec (and no SLOT_DURATION_MS)');
  }
  const constant = (key: keyof typeof SPEC_CONSTANTS) => positive(values, key) ?? SPEC_CONSTANTS[key];
  return {
    PRESET_BASE: preset,
    CONFIG_NAME: text(values, 'CONFIG_NAME'),
    SECONDS_PER_SLOT: seconds ?? (ms as number) / 1000,
    SLOT_DURATION_MS: ms ?? (seconds as number) * 1000,
    ...required,
    TARGET_AGGREGATORS_PER_COMMITTEE: constant('TARGET_AGGREGATORS_PER_COMMITTEE'),
    SYNC_COMMITTEE_SUBNET_COUNT: constant('SYNC_COMMITTEE_SUBNET_COUNT'),
    TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: constant('TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE'),
    ATTESTATION_SUBNET_COUNT: constant('ATTESTATION_SUBNET_COUNT'),
    values,
  };
}
