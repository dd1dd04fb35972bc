// diva-node's Prometheus metrics (prom-client), fed by the runtime's events: duty outcomes with
// their reason code, consensus decisions and timeouts, evidence, messages dropped by peer, beacon
// node requests, and — read at each scrape — peers connected and per-peer traffic. The list is in
// the README ("Metrics").
import type { ClientEvent } from '@diva-dvt/beacon-api';
import {
  type ClockOffsetSample,
  type DutyOutcome,
  dutyReason,
  type InclusionResult,
  type P2pNetwork,
  type SigningEvent,
} from '@diva-dvt/operator';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface NodeMetrics {
  readonly registry: Registry;
  outcome(outcome: DutyOutcome): void;
  /** A published attestation found on chain, or given up on. */
  inclusion(result: InclusionResult): void;
  signing(event: SigningEvent): void;
  beaconRequest(event: ClientEvent): void;
  /** Where peers and traffic are read from at each scrape. */
  watchNetwork(network: P2pNetwork, expectedPeers: () => number): void;
  /** Where the peers' clock offsets are read from at each scrape. */
  watchClockOffsets(read: () => ReadonlyMap<string, ClockOffsetSample>): void;
  setValidators(served: number, onChain: number): void;
}

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];

export function createNodeMetrics(): NodeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duties = new Counter({
    name: 'diva_duties_total',
    help: 'Duties ended, by duty type and reason code (submitted, late, consensus-timeout, ...)',
    labelNames: ['duty', 'reason'] as const,
    registers: [registry],
  });
  const dutyLatency = new Histogram({
    name: 'diva_duty_publish_delay_seconds',
    help: 'From the time a duty is due to its publication',
    labelNames: ['duty'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const decisions = new Counter({
    name: 'diva_consensus_decisions_total',
    help: "Consensus decisions, by duty type and whether the decided value was this node's own",
    labelNames: ['duty', 'own'] as const,
    registers: [registry],
  });
  const consensusLatency = new Histogram({
    name: 'diva_consensus_duration_seconds',
    help: 'From the start of a consensus instance (or partial exchange) to the group signature',
    labelNames: ['duty'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const rounds = new Histogram({
    name: 'diva_consensus_rounds',
    help: 'The round in which consensus decided',
    labelNames: ['duty'] as const,
    buckets: [1, 2, 3, 4, 6],
    registers: [registry],
  });
  const timeouts = new Counter({
    name: 'diva_signing_timeouts_total',
    help: 'Signing requests that reached their deadline without a group signature',
    labelNames: ['duty', 'stage'] as const,
    registers: [registry],
  });
  const evidence = new Counter({
    name: 'diva_evidence_total',
    help: 'Equivocation and double-signing evidence collected',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const invalid = new Counter({
    name: 'diva_peer_messages_dropped_total',
    help: 'Messages from committee peers dropped by the runtime, by peer and reason',
    labelNames: ['peer', 'reason'] as const,
    registers: [registry],
  });
  const beaconRequests = new Counter({
    name: 'diva_beacon_node_requests_total',
    help: 'Requests to beacon nodes, by node, endpoint and result',
    labelNames: ['node', 'endpoint', 'ok'] as const,
    registers: [registry],
  });
  const beaconLatency = new Histogram({
    name: 'diva_beacon_node_request_duration_seconds',
    help: 'Beacon node request latency, by node',
    labelNames: ['node'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const inclusions = new Counter({
    name: 'diva_attestation_inclusions_total',
    help: 'Published attestations found in a later block (included) or not within an epoch (not_included)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const inclusionDelay = new Histogram({
    name: 'diva_attestation_inclusion_delay_slots',
    help: 'Slots from an attestation to the block that included it (1 is the best possible)',
    buckets: [1, 2, 3, 4, 6, 8, 16, 32],
    registers: [registry],
  });
  const validators = new Gauge({
    name: 'diva_validators',
    help: "Validators in this operator's committees (state: served, on_chain)",
    labelNames: ['state'] as const,
    registers: [registry],
  });
  let network: P2pNetwork | undefined;
  let expected: () => number = () => 0;
  new Gauge({
    name: 'diva_peers',
    help: 'Committee peers (state: expected, connected)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'expected' }, expected());
      this.set({ state: 'connected' }, network?.connectedPeers().length ?? 0);
    },
  });
  new Gauge({
    name: 'diva_peer_messages',
    help: 'Messages exchanged with each committee peer since start (direction: received, sent)',
    labelNames: ['peer', 'direction'] as const,
    registers: [registry],
    collect() {
      for (const s of network?.stats() ?? []) {
        this.set({ peer: s.address, direction: 'received' }, s.received);
        this.set({ peer: s.address, direction: 'sent' }, s.sent);
      }
    },
  });
  let offsets: () => ReadonlyMap<string, ClockOffsetSample> = () => new Map();
  new Gauge({
    name: 'diva_peer_clock_offset_seconds',
    help: "Each committee peer's clock minus this node's, measured over p2p (exact to half the round trip)",
    labelNames: ['peer'] as const,
    registers: [registry],
    collect() {
      for (const [peer, s] of offsets()) this.set({ peer }, s.offsetMs / 1000);
    },
  });
  new Gauge({
    name: 'diva_peer_round_trip_seconds',
    help: 'Round trip of the clock-offset sample kept for each committee peer',
    labelNames: ['peer'] as const,
    registers: [registry],
    collect() {
      for (const [peer, s] of offsets()) this.set({ peer }, s.rttMs / 1000);
    },
  });
  new Gauge({
    name: 'diva_peer_penalty',
    help: "Each committee peer's penalty score (misbehaviour; decays)",
    labelNames: ['peer'] as const,
    registers: [registry],
    collect() {
      for (const s of network?.stats() ?? []) this.set({ peer: s.address }, s.penalty);
    },
  });

  return {
    registry,
    outcome(o) {
      duties.inc({ duty: o.duty, reason: dutyReason(o) });
      if (o.status === 'published')
        dutyLatency.observe({ duty: o.duty }, Math.max(0, o.publishedAtMs - o.dueMs) / 1000);
    },
    inclusion(r) {
      inclusions.inc({ result: r.status === 'included' ? 'included' : 'not_included' });
      if (r.delaySlots !== undefined) inclusionDelay.observe(r.delaySlots);
    },
    signing(e) {
      switch (e.type) {
        case 'decided':
          decisions.inc({ duty: e.duty.type, own: String(e.own) });
          consensusLatency.observe({ duty: e.duty.type }, e.latencyMs / 1000);
          rounds.observe({ duty: e.duty.type }, e.round);
          break;
        case 'combined':
          consensusLatency.observe({ duty: e.duty.type }, e.latencyMs / 1000);
          break;
        case 'timeout':
          timeouts.inc({ duty: e.duty.type, stage: e.stage });
          break;
        case 'evidence':
          evidence.inc({ kind: e.evidence.kind });
          break;
        case 'dropped':
          invalid.inc({ peer: e.from, reason: e.reason });
          break;
      }
    },
    beaconRequest(e) {
      if (e.type !== 'request') return;
      beaconRequests.inc({ node: e.node, endpoint: e.endpoint, ok: String(e.ok) });
      beaconLatency.observe({ node: e.node }, e.durationMs / 1000);
    },
    watchNetwork(n, expectedPeers) {
      network = n;
      expected = expectedPeers;
    },
    watchClockOffsets(read) {
      offsets = read;
    },
    setValidators(served, onChain) {
      validators.set({ state: 'served' }, served);
      validators.set({ state: 'on_chain' }, onChain);
    },
  };
}
