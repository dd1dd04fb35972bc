// Fork names this package decodes (phase0 to fulu), their order, and the fork schedule lookup
// (which fork, and which fork version, is active at an epoch). Fork-aware bodies pick their SSZ
// type by the `Eth-Consensus-Version` header, whose values are these names.
import { BeaconApiError } from './errors.ts';

export const FORKS = ['phase0', 'altair', 'bellatrix', 'capella', 'deneb', 'electra', 'fulu'] as const;
export type Fork = (typeof FORKS)[number];

const SEQ: Readonly<Record<string, number>> = Object.fromEntries(FORKS.map((f, i) => [f, i]));

export function isFork(name: unknown): name is Fork {
  return typeof name === 'string' && Object.hasOwn(SEQ, name);
}

/** Position of `fork` in the fork order (phase0 = 0). */
export function forkSeq(fork: Fork): number {
  return SEQ[fork] as number;
}

/** True when `fork` is `than` or later. */
export function forkAtLeast(fork: Fork, than: Fork): boolean {
  return forkSeq(fork) >= forkSeq(than);
}

/** One scheduled fork: its name, version and activation epoch (Infinity when unscheduled). */
export interface ScheduledFork {
  readonly fork: Fork;
  readonly version: Uint8Array;
  readonly epoch: number;
}

/**
 * The fork schedule of a chain, ordered by fork. Build it with `forkScheduleFromSpec` (the
 * `/eth/v1/config/spec` values) or by hand.
 */
export interface ForkSchedule {
  readonly forks: readonly ScheduledFork[];
}

export function createForkSchedule(forks: readonly ScheduledFork[]): ForkSchedule {
  if (forks.length === 0 || forks[0]?.fork !== 'phase0') {
    throw new BeaconApiError({
      code: 'INVALID_CONFIG',
      field: 'forks',
      reason: 'the schedule must start with phase0',
    });
  }
  const sorted = [...forks].sort((a, b) => forkSeq(a.fork) - forkSeq(b.fork));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as ScheduledFork;
    const cur = sorted[i] as ScheduledFork;
    if (prev.fork === cur.fork) {
      throw new BeaconApiError({
        code: 'INVALID_CONFIG',
        field: `forks.${cur.fork}`,
        reason: 'listed twice',
      });
    }
    if (cur.epoch < prev.epoch) {
      throw new BeaconApiError({
        code: 'INVALID_CONFIG',
        field: `forks.${cur.fork}`,
        reason: `epoch ${cur.epoch} is before ${prev.fork}'s ${prev.epoch}`,
      });
    }
    if (cur.version.length !== 4) {
      throw new BeaconApiError({
        code: 'INVALID_CONFIG',
        field: `forks.${cur.fork}.version`,
        reason: 'must be 4 bytes',
      });
    }
  }
  return { forks: sorted };
}

/** The fork active at `epoch`. */
export function forkAtEpoch(schedule: ForkSchedule, epoch: number): ScheduledFork {
  let active = schedule.forks[0] as ScheduledFork;
  for (const f of schedule.forks) {
    if (f.epoch <= epoch) active = f;
    else break;
  }
  return active;
}

/** The scheduled entry of `fork`, or undefined when the schedule does not list it. */
export function scheduledFork(schedule: ForkSchedule, fork: Fork): ScheduledFork | undefined {
  return schedule.forks.find((f) => f.fork === fork);
}

const SPEC_KEYS: Readonly<Record<Fork, readonly [string, string | undefined]>> = {
  phase0: ['GENESIS_FORK_VERSION', undefined],
  altair: ['ALTAIR_FORK_VERSION', 'ALTAIR_FORK_EPOCH'],
  bellatrix: ['BELLATRIX_FORK_VERSION', 'BELLATRIX_FORK_EPOCH'],
  capella: ['CAPELLA_FORK_VERSION', 'CAPELLA_FORK_EPOCH'],
  deneb: ['DENEB_FORK_VERSION', 'DENEB_FORK_EPOCH'],
  electra: ['ELECTRA_FORK_VERSION', 'ELECTRA_FORK_EPOCH'],
  fulu: ['FULU_FORK_VERSION', 'FULU_FORK_EPOCH'],
};

const U64_MAX = '18446744073709551615';

/**
 * Builds the fork schedule from a `/eth/v1/config/spec` map (string values). Forks the spec does
 * not list (an altair-era node knows nothing of capella) are left out; a fork epoch of 2^64-1
 * becomes Infinity.
 */
export function forkScheduleFromSpec(spec: Readonly<Record<string, unknown>>): ForkSchedule {
  const forks: ScheduledFork[] = [];
  for (const fork of FORKS) {
    const [versionKey, epochKey] = SPEC_KEYS[fork];
    const versionHex = spec[versionKey];
    if (versionHex === undefined || typeof versionHex !== 'string') {
      if (fork === 'phase0') {
        throw new BeaconApiError({
          code: 'INVALID_CONFIG',
          field: versionKey,
          reason: 'missing from the spec',
        });
      }
      continue;
    }
    if (!/^0x[0-9a-fA-F]{8}$/.test(versionHex)) {
      throw new BeaconApiError({
        code: 'INVALID_CONFIG',
        field: versionKey,
        reason: `not a 4-byte hex version: ${versionHex}`,
      });
    }
    let epoch = 0;
    if (epochKey !== undefined) {
      const e = spec[epochKey];
      if (e === undefined) continue;
      if (typeof e !== 'string' || !/^[0-9]{1,20}$/.test(e)) {
        throw new BeaconApiError({
          code: 'INVALID_CONFIG',
          field: epochKey,
          reason: `not a decimal epoch: ${e}`,
        });
      }
      epoch =
        e === U64_MAX || BigInt(e) > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(e);
    }
    forks.push({ fork, version: Uint8Array.from(Buffer.from(versionHex.slice(2), 'hex')), epoch });
  }
  return createForkSchedule(forks);
}
