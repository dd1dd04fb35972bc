// Runs @diva-dvt/operator's ValidatorClient for one validator over a range of slots and turns its
// duty outcomes into the log the end-to-end test checks against the chain. The duties themselves
// (what to sign and when, signing roots, messages, publication) are the operator package's.
import type { BeaconApi } from '@diva-dvt/beacon-api';
import { ssz } from '@diva-dvt/beacon-api/spec';
import {
  createSystemClock,
  type DutyOutcome,
  type ThresholdSigner,
  ValidatorClient,
  type ValidatorSpec,
} from '@diva-dvt/operator';
import { bytesToHex } from './hex.ts';

export interface AttestationRecord {
  slot: number;
  committeeIndex: number;
  validatorCommitteeIndex: number;
  committeeLength: number;
  dataRoot: string;
}

export interface DutyLog {
  attestations: AttestationRecord[];
  aggregates: { slot: number; aggregationBits: boolean[] }[];
  aggregatorSlots: number[];
  syncMessages: { slot: number; beaconBlockRoot: string }[];
  syncContributions: { slot: number; subcommitteeIndex: number; aggregationBits: boolean[] }[];
  syncCommitteeIndices: number[];
  blocks: { slot: number; root: string }[];
  proposalDuties: number[];
  errors: string[];
  /**
   * Messages dropped because their deadline passed, or refused by the node only because they came
   * after their slot (SYNC_COMMITTEE_ERROR_NOT_CURRENT_SLOT).
   */
  late: string[];
  /** Milliseconds from the duty's due time to publication, per duty type. */
  latencyMs: Record<string, number[]>;
  /** The chain constants the client read from the node. */
  spec: ValidatorSpec;
}

export interface RunOptions {
  api: BeaconApi;
  validatorIndex: number;
  signer: ThresholdSigner;
  /** Run duties up to and including this slot (from the current slot, or genesis). */
  toSlot: number;
  /** Sync committee contributions this far into the slot (basis points; the spec's is 6667). */
  contributionDueBps?: number;
}

const LATENCY_KEYS: Record<DutyOutcome['duty'], string> = {
  block: 'block',
  attestation: 'attestation',
  aggregate: 'aggregate',
  'sync-committee-message': 'syncCommitteeMessage',
  'sync-committee-contribution': 'syncContribution',
  'voluntary-exit': 'voluntaryExit',
  'builder-registration': 'builderRegistration',
};

function record(log: Omit<DutyLog, 'spec'>, o: DutyOutcome): void {
  const where = `${o.duty} at slot ${o.slot}${o.subcommitteeIndex === undefined ? '' : ` (subcommittee ${o.subcommitteeIndex})`}`;
  if (o.duty === 'aggregate' && o.status !== 'not-selected') log.aggregatorSlots.push(o.slot);
  if (o.status === 'late') log.late.push(`${where}: dropped ${o.stage}, past its deadline`);
  if (o.status === 'failed') {
    const message = `${where}: ${o.error.message}`;
    (/NOT_CURRENT_SLOT/.test(message) ? log.late : log.errors).push(message);
  }
  if (o.status !== 'published') return;
  const latency = log.latencyMs[LATENCY_KEYS[o.duty]] ?? [];
  latency.push(o.publishedAtMs - o.dueMs);
  log.latencyMs[LATENCY_KEYS[o.duty]] = latency;
  switch (o.duty) {
    case 'block':
      log.blocks.push({ slot: o.slot, root: bytesToHex(o.message.blockRoot) });
      break;
    case 'attestation':
      // altair-era Attestation (the devnet's); an electra SingleAttestation has no aggregation bits
      if (!('aggregationBits' in o.message)) break;
      log.attestations.push({
        slot: o.slot,
        committeeIndex: o.message.data.index,
        validatorCommitteeIndex: o.message.aggregationBits.getTrueBitIndexes()[0] ?? -1,
        committeeLength: o.message.aggregationBits.bitLen,
        dataRoot: bytesToHex(ssz.phase0.AttestationData.hashTreeRoot(o.message.data)),
      });
      break;
    case 'aggregate':
      log.aggregates.push({
        slot: o.slot,
        aggregationBits: o.message.message.aggregate.aggregationBits.toBoolArray(),
      });
      break;
    case 'sync-committee-message':
      log.syncMessages.push({ slot: o.slot, beaconBlockRoot: bytesToHex(o.message.beaconBlockRoot) });
      break;
    case 'sync-committee-contribution':
      log.syncContributions.push({
        slot: o.slot,
        subcommitteeIndex: o.message.message.contribution.subcommitteeIndex,
        aggregationBits: o.message.message.contribution.aggregationBits.toBoolArray(),
      });
      break;
  }
}

export async function runThresholdValidator(o: RunOptions): Promise<DutyLog> {
  const log: Omit<DutyLog, 'spec'> = {
    attestations: [],
    aggregates: [],
    aggregatorSlots: [],
    syncMessages: [],
    syncContributions: [],
    syncCommitteeIndices: [],
    blocks: [],
    proposalDuties: [],
    errors: [],
    late: [],
    latencyMs: {},
  };
  let finish: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = { resolve, reject };
  });
  let stopping = false;
  const client: ValidatorClient = new ValidatorClient(
    { api: o.api, signer: o.signer, clock: createSystemClock() },
    {
      validatorIndices: [o.validatorIndex],
      ...(o.contributionDueBps !== undefined ? { dueBps: { contributionDueBps: o.contributionDueBps } } : {}),
      onOutcome: (outcome) => {
        if (outcome.slot <= o.toSlot) record(log, outcome);
      },
      onDuties: (d) => {
        if (d.sync) log.syncCommitteeIndices = [...d.sync.validatorSyncCommitteeIndices];
        for (const slot of d.proposerSlots)
          if (!log.proposalDuties.includes(slot)) log.proposalDuties.push(slot);
      },
      // the last slot has started: start no other, let its duties finish
      onSlot: (slot) => {
        if (slot < o.toSlot || stopping) return;
        stopping = true;
        client.stop().then(finish?.resolve, finish?.reject);
      },
    },
  );
  await client.start();
  const spec = client.spec as ValidatorSpec;
  await finished;
  return { ...log, spec };
}
