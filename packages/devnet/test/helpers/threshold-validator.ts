// A minimal validator client for one validator whose key is split among share holders: it reads
// duties through @diva-dvt/beacon-api, and for every message (randao reveal, block, attestation,
// selection proof, aggregate and proof, sync committee message) asks `threshold` of the holders
// for a partial signature over the signing root, combines them (verified, robust combination) and
// publishes the result. Timing follows the spec's honest validator: block at the slot start,
// attestation and sync committee message at 1/3 of the slot, aggregate at 2/3.
import { createHash } from 'node:crypto';
import { BitArray } from '@chainsafe/ssz';
import {
  type AttestationData,
  type AttesterDuty,
  aggregateAndProofSigningRoot,
  attestationDataSigningRoot,
  type BeaconApi,
  blockSigningRoot,
  bytesToHex,
  contributionAndProofSigningRoot,
  forkAtSlot,
  randaoSigningRoot,
  type SigningContext,
  type SyncDuty,
  selectionProofSigningRoot,
  ssz,
  syncCommitteeMessageSigningRoot,
  syncCommitteeSelectionProofSigningRoot,
} from '@diva-dvt/beacon-api';
import type { Bls, PublicKey, SecretKeyShare } from '@diva-dvt/bls-threshold';

const SLOTS_PER_EPOCH = 8; // minimal preset
const TARGET_AGGREGATORS_PER_COMMITTEE = 16;
const SYNC_SUBCOMMITTEE_SIZE = 8; // minimal: SYNC_COMMITTEE_SIZE 32 / SYNC_COMMITTEE_SUBNET_COUNT 4
const TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE = 16;

export interface ShareHolders {
  shares: readonly SecretKeyShare[];
  publicShares: readonly PublicKey[];
  groupPublicKey: PublicKey;
  threshold: number;
}

/** Signs with `threshold` holders, a different subset each time (rotating start). */
export function createThresholdSigner(bls: Bls, holders: ShareHolders) {
  let turn = 0;
  const partialsBySigner = new Map<number, number>();
  let combined = 0;
  return {
    partialsBySigner,
    get combined() {
      return combined;
    },
    sign(root: Uint8Array): Uint8Array {
      const n = holders.shares.length;
      const start = turn++ % n;
      const signers = Array.from({ length: holders.threshold }, (_, k) => holders.shares[(start + k) % n]!);
      const partials = signers.map((share) => {
        partialsBySigner.set(share.shareIndex, (partialsBySigner.get(share.shareIndex) ?? 0) + 1);
        return bls.signPartial(share, root);
      });
      const result = bls.robustCombine({
        groupPublicKey: holders.groupPublicKey,
        publicShares: [...holders.publicShares],
        threshold: holders.threshold,
        message: root,
        partials,
      });
      if (!result.ok) throw new Error(`combination failed: ${result.reason}`);
      combined++;
      return result.signature.bytes;
    },
  };
}

export type ThresholdSigner = ReturnType<typeof createThresholdSigner>;

export interface AttestationRecord {
  slot: number;
  committeeIndex: number;
  validatorCommitteeIndex: number;
  committeeLength: number;
  dataRoot: string;
  publishedAtMs: number;
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
  /** Messages the node refused only because they came after their slot (SYNC_COMMITTEE_ERROR_NOT_CURRENT_SLOT). */
  late: string[];
  /** Milliseconds from the duty's start (slot start or 1/3) to publication, per duty type. */
  latencyMs: Record<string, number[]>;
}

export interface RunOptions {
  api: BeaconApi;
  ctx: SigningContext;
  validatorIndex: number;
  signer: ThresholdSigner;
  genesisTimeSec: number;
  secondsPerSlot: number;
  /** Run duties of slots [fromSlot, toSlot]. */
  fromSlot: number;
  toSlot: number;
}

function isAggregator(committeeLength: number, selectionProof: Uint8Array): boolean {
  return selectedBy(
    Math.max(1, Math.floor(committeeLength / TARGET_AGGREGATORS_PER_COMMITTEE)),
    selectionProof,
  );
}

function selectedBy(modulo: number, selectionProof: Uint8Array): boolean {
  const digest = createHash('sha256').update(selectionProof).digest();
  return digest.readBigUInt64LE(0) % BigInt(modulo) === 0n;
}

const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

export async function runThresholdValidator(o: RunOptions): Promise<DutyLog> {
  const log: DutyLog = {
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
  const slotStartMs = (slot: number) => (o.genesisTimeSec + slot * o.secondsPerSlot) * 1000;
  const latency = (what: string, since: number) => {
    const list = log.latencyMs[what] ?? [];
    list.push(Date.now() - since);
    log.latencyMs[what] = list;
  };
  const attempt = async (what: string, slot: number, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      const message = `${what} at slot ${slot}: ${err instanceof Error ? err.message : String(err)}`;
      (/NOT_CURRENT_SLOT/.test(message) ? log.late : log.errors).push(message);
    }
  };

  interface EpochDuties {
    attester: AttesterDuty | undefined;
    selectionProof: Uint8Array | undefined;
    aggregator: boolean;
    sync: SyncDuty | undefined;
    proposerSlots: Set<number>;
  }
  const dutiesByEpoch = new Map<number, Promise<EpochDuties | undefined>>();
  const fetchDuties = async (epoch: number): Promise<EpochDuties | undefined> => {
    let duties: EpochDuties | undefined;
    await attempt('duties', epoch * SLOTS_PER_EPOCH, async () => {
      const indices = [o.validatorIndex];
      const [att, prop, sync] = await Promise.all([
        o.api.getAttesterDuties({ epoch, indices }),
        o.api.getProposerDuties({ epoch }),
        o.api.getSyncCommitteeDuties({ epoch, indices }),
      ]);
      const attester = att.data.find((d) => d.validatorIndex === o.validatorIndex);
      const syncDuty = sync.data.find((d) => d.validatorIndex === o.validatorIndex);
      if (syncDuty) log.syncCommitteeIndices = [...syncDuty.validatorSyncCommitteeIndices];
      const proposerSlots = new Set(
        prop.data.filter((d) => d.validatorIndex === o.validatorIndex && d.slot > 0).map((d) => d.slot),
      );
      log.proposalDuties.push(...proposerSlots);
      let selectionProof: Uint8Array | undefined;
      let aggregator = false;
      if (attester) {
        selectionProof = o.signer.sign(selectionProofSigningRoot(o.ctx, attester.slot));
        aggregator = isAggregator(attester.committeeLength, selectionProof);
        if (aggregator) log.aggregatorSlots.push(attester.slot);
        await o.api.prepareBeaconCommitteeSubnet({
          data: [
            {
              validatorIndex: o.validatorIndex,
              committeeIndex: attester.committeeIndex,
              committeesAtSlot: attester.committeesAtSlot,
              slot: attester.slot,
              isAggregator: aggregator,
            },
          ],
        });
      }
      duties = { attester, selectionProof, aggregator, sync: syncDuty, proposerSlots };
    });
    return duties;
  };
  const dutiesOf = (epoch: number) => {
    let p = dutiesByEpoch.get(epoch);
    if (!p) {
      p = fetchDuties(epoch);
      dutiesByEpoch.set(epoch, p);
    }
    return p;
  };

  // One task per slot, started at the slot's start; a slow duty never delays the next slot.
  const runSlot = async (slot: number): Promise<void> => {
    const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
    const duties = await dutiesOf(epoch);
    if (!duties) return;

    // block at the start of the slot
    if (duties.proposerSlots.has(slot)) {
      const t0 = Date.now();
      await attempt('block', slot, async () => {
        const randaoReveal = o.signer.sign(randaoSigningRoot(o.ctx, epoch));
        const produced = await o.api.produceBlock({ slot, randaoReveal, graffiti: new Uint8Array(32) });
        const block = produced.data;
        const signature = o.signer.sign(blockSigningRoot(o.ctx, block));
        await o.api.publishBlock({ fork: produced.meta.version, data: { message: block, signature } });
        const root = ssz.altair.BeaconBlock.hashTreeRoot(block);
        log.blocks.push({ slot, root: bytesToHex(root) });
        latency('block', t0);
      });
    }

    // attestation and sync committee message at 1/3 of the slot
    const third = slotStartMs(slot) + (o.secondsPerSlot * 1000) / 3;
    await sleepUntil(third);
    let attestation: { data: AttestationData; aggregationBits: BitArray } | undefined;
    let syncRoot: Uint8Array | undefined;
    const duty = duties.attester?.slot === slot ? duties.attester : undefined;
    if (duty) {
      await attempt('attestation', slot, async () => {
        const data = (await o.api.produceAttestationData({ slot, committeeIndex: duty.committeeIndex })).data;
        const signature = o.signer.sign(attestationDataSigningRoot(o.ctx, data));
        const aggregationBits = BitArray.fromSingleBit(duty.committeeLength, duty.validatorCommitteeIndex);
        await o.api.submitPoolAttestations({
          fork: forkAtSlot(o.ctx, slot),
          data: [{ aggregationBits, data, signature }],
        });
        attestation = { data, aggregationBits };
        log.attestations.push({
          slot,
          committeeIndex: duty.committeeIndex,
          validatorCommitteeIndex: duty.validatorCommitteeIndex,
          committeeLength: duty.committeeLength,
          dataRoot: bytesToHex(ssz.phase0.AttestationData.hashTreeRoot(data)),
          publishedAtMs: Date.now() - slotStartMs(slot),
        });
        latency('attestation', third);
      });
    }
    if (duties.sync) {
      const t0 = Date.now();
      await attempt('sync committee message', slot, async () => {
        const head = (await o.api.getBlockHeader({ blockId: 'head' })).data;
        const beaconBlockRoot = head.root;
        const signature = o.signer.sign(syncCommitteeMessageSigningRoot(o.ctx, slot, beaconBlockRoot));
        await o.api.submitPoolSyncCommitteeSignatures({
          data: [{ slot, beaconBlockRoot, validatorIndex: o.validatorIndex, signature }],
        });
        syncRoot = beaconBlockRoot;
        log.syncMessages.push({ slot, beaconBlockRoot: bytesToHex(beaconBlockRoot) });
        latency('syncCommitteeMessage', t0);
      });
    }

    // sync committee contributions at 1/2 of the slot (the spec says 2/3; a contribution must reach
    // the node within its slot, and a busy 2-core machine needs the margin)
    const half = slotStartMs(slot) + (o.secondsPerSlot * 1000) / 2;
    await sleepUntil(half);
    const beaconBlockRoot = syncRoot;
    if (duties.sync && beaconBlockRoot) {
      const subcommittees = new Set(
        duties.sync.validatorSyncCommitteeIndices.map((i) => Math.floor(i / SYNC_SUBCOMMITTEE_SIZE)),
      );
      await Promise.all(
        [...subcommittees].map((subcommitteeIndex) =>
          attempt('sync committee contribution', slot, async () => {
            const selectionProof = o.signer.sign(
              syncCommitteeSelectionProofSigningRoot(o.ctx, slot, subcommitteeIndex),
            );
            const modulo = Math.max(
              1,
              Math.floor(SYNC_SUBCOMMITTEE_SIZE / TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE),
            );
            if (!selectedBy(modulo, selectionProof)) return;
            const contribution = (
              await o.api.produceSyncCommitteeContribution({ slot, subcommitteeIndex, beaconBlockRoot })
            ).data;
            const message = { aggregatorIndex: o.validatorIndex, contribution, selectionProof };
            const signature = o.signer.sign(contributionAndProofSigningRoot(o.ctx, message));
            await o.api.publishContributionAndProofs({ data: [{ message, signature }] });
            log.syncContributions.push({
              slot,
              subcommitteeIndex,
              aggregationBits: contribution.aggregationBits.toBoolArray(),
            });
            latency('syncContribution', half);
          }),
        ),
      );
    }

    // aggregate at 2/3 of the slot
    const twoThirds = slotStartMs(slot) + (o.secondsPerSlot * 2000) / 3;
    await sleepUntil(twoThirds);
    const proof = duties.selectionProof;
    if (duty && attestation && proof && duties.aggregator) {
      const data = attestation.data;
      await attempt('aggregate', slot, async () => {
        const aggregate = (
          await o.api.getAggregatedAttestation({
            slot,
            attestationDataRoot: ssz.phase0.AttestationData.hashTreeRoot(data),
            committeeIndex: duty.committeeIndex,
          })
        ).data;
        const message = { aggregatorIndex: o.validatorIndex, aggregate, selectionProof: proof };
        const signature = o.signer.sign(aggregateAndProofSigningRoot(o.ctx, message));
        await o.api.publishAggregateAndProofs({
          fork: forkAtSlot(o.ctx, slot),
          data: [{ message, signature }],
        });
        log.aggregates.push({ slot, aggregationBits: aggregate.aggregationBits.toBoolArray() });
        latency('aggregate', twoThirds);
      });
    }
  };

  const tasks: Promise<void>[] = [];
  for (let slot = o.fromSlot; slot <= o.toSlot; slot++) {
    await sleepUntil(slotStartMs(slot));
    tasks.push(runSlot(slot));
  }
  await Promise.all(tasks);
  return log;
}
