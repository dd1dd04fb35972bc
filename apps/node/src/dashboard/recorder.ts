// What diva-node remembers for its dashboard, fed by the same runtime events as the metrics (duty
// outcomes, signing events, inclusion results, beacon node requests), kept in bounded memory:
// outcomes of the last `epochsKept` epochs, latency as bucket counts, inclusion as counts. At each
// read it joins them with what the node knows now (committees, peers, clock offsets, readiness)
// into a `NodeDashboardReport`.
import type { ClientEvent } from '@diva-dvt/beacon-api';
import {
  type ClockOffsetSample,
  type DutyOutcome,
  dutyReason,
  type InclusionResult,
  type SigningEvent,
  type ValidatorCommittee,
} from '@diva-dvt/operator';
import {
  type ChainPosition,
  type HealthCheck,
  LATENCY_BOUNDS_MS,
  type NodeDashboardReport,
  type OutcomeCount,
} from './model.ts';

export interface DashboardRecorderInit {
  /** Outcomes older than this many epochs before the current one are forgotten (default 16). */
  readonly epochsKept?: number;
  /** The beacon nodes in configuration order (`bn0`, `bn1`, ... by position). */
  readonly beaconNodeUrls?: readonly string[];
}

/** What the node knows at the time of a read. */
export interface NodeSnapshot {
  /** This node's operator address. */
  readonly operator: string;
  readonly atMs: number;
  readonly chain: ChainPosition | undefined;
  readonly validators: readonly ValidatorCommittee[];
  /** The operators this node shares a committee with. */
  readonly peers: readonly string[];
  readonly connectedPeers: readonly string[];
  readonly clockOffsets: ReadonlyMap<string, ClockOffsetSample>;
  readonly checks: readonly HealthCheck[];
}

export interface DashboardRecorder {
  outcome(outcome: DutyOutcome): void;
  signing(event: SigningEvent): void;
  inclusion(result: InclusionResult): void;
  beaconRequest(event: ClientEvent): void;
  report(snapshot: NodeSnapshot): NodeDashboardReport;
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;

/** host:port of a URL: never its credentials, path or query (they may hold API keys). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

export function latencyBucket(latencyMs: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => latencyMs <= bound);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

/** Enough for 16 epochs of 32 slots with a few hundred validators' duties. */
const MAX_OUTCOME_KEYS = 10_000;

export function createDashboardRecorder(init: DashboardRecorderInit): DashboardRecorder {
  const epochsKept = init.epochsKept ?? 16;
  /** Outcome counts by `slot/duty/reason`. */
  const outcomes = new Map<string, { slot: number; duty: string; reason: string; count: number }>();
  const latencyCounts = LATENCY_BOUNDS_MS.map(() => 0).concat(0);
  const delays = new Map<number, number>();
  let included = 0;
  let notIncluded = 0;
  const urls = init.beaconNodeUrls ?? [];
  const beacon = new Map<
    string,
    { requests: number; failures: number; lastOk?: boolean; lastDurationMs?: number }
  >(urls.map((_, i) => [`bn${i}`, { requests: 0, failures: 0 }]));

  return {
    outcome(o) {
      const reason = dutyReason(o);
      const key = `${o.slot}/${o.duty}/${reason}`;
      const prev = outcomes.get(key);
      if (prev !== undefined) prev.count++;
      else {
        if (outcomes.size >= MAX_OUTCOME_KEYS) {
          const oldest = outcomes.keys().next().value;
          if (oldest !== undefined) outcomes.delete(oldest);
        }
        outcomes.set(key, { slot: o.slot, duty: o.duty, reason, count: 1 });
      }
    },
    signing(e) {
      if (e.type !== 'decided' && e.type !== 'combined') return;
      const i = latencyBucket(e.latencyMs);
      latencyCounts[i] = (latencyCounts[i] ?? 0) + 1;
    },
    inclusion(r) {
      if (r.status === 'included') included++;
      else notIncluded++;
      if (r.delaySlots !== undefined) delays.set(r.delaySlots, (delays.get(r.delaySlots) ?? 0) + 1);
    },
    beaconRequest(e) {
      if (e.type !== 'request') return;
      const b = beacon.get(e.node) ?? { requests: 0, failures: 0 };
      b.requests++;
      if (!e.ok) b.failures++;
      b.lastOk = e.ok;
      b.lastDurationMs = e.durationMs;
      beacon.set(e.node, b);
    },
    report(s) {
      const slotsPerEpoch = s.chain?.slotsPerEpoch ?? 32;
      const oldest = s.chain === undefined ? 0 : Math.max(0, s.chain.epoch - epochsKept + 1);
      const byEpoch = new Map<string, OutcomeCount>();
      for (const [key, o] of outcomes) {
        const epoch = Math.floor(o.slot / slotsPerEpoch);
        if (epoch < oldest) {
          outcomes.delete(key);
          continue;
        }
        const k = `${epoch}/${o.duty}/${o.reason}`;
        byEpoch.set(k, {
          epoch,
          duty: o.duty,
          reason: o.reason,
          count: (byEpoch.get(k)?.count ?? 0) + o.count,
        });
      }
      const connected = new Set(s.connectedPeers);
      return {
        operator: s.operator,
        atMs: s.atMs,
        ...(s.chain !== undefined ? { chain: s.chain } : {}),
        validators: s.validators.map((v) => ({
          groupPublicKey: hex(v.groupPublicKey),
          ...(v.validatorIndex !== undefined ? { validatorIndex: v.validatorIndex } : {}),
          threshold: v.threshold,
          members: v.members.map((m) => ({ operator: m.operator, shareIndex: m.shareIndex })),
        })),
        outcomes: [...byEpoch.values()],
        latencyCounts: [...latencyCounts],
        inclusion: {
          included,
          notIncluded,
          delays: [...delays]
            .sort((a, b) => a[0] - b[0])
            .map(([delaySlots, count]) => ({ delaySlots, count })),
        },
        health: {
          peersExpected: s.peers.length,
          peersConnected: s.peers.filter((p) => connected.has(p)).length,
          peers: s.peers.map((operator) => {
            const offset = s.clockOffsets.get(operator);
            return {
              operator,
              connected: connected.has(operator),
              ...(offset !== undefined ? { clockOffsetMs: offset.offsetMs, rttMs: offset.rttMs } : {}),
            };
          }),
          beaconNodes: [...beacon].map(([label, b]) => {
            const i = /^bn(\d+)$/.exec(label)?.[1];
            const url = i === undefined ? undefined : urls[Number(i)];
            return { label, host: url === undefined ? '' : hostOf(url), ...b };
          }),
          checks: s.checks,
        },
      };
    },
  };
}
