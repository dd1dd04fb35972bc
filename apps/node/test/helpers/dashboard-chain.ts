// A small beacon chain for the dashboard's browser test: beacon-api's route handler (the routes the
// client uses) on a real loopback server, answering a minimal-preset altair chain on the system
// clock with short slots. Two validators attest once per epoch, propose once per epoch and sit in
// the sync committee; published attestations are put into the blocks of the following slots (every
// third slot is empty, so some wait two slots), so inclusion and its delay are real.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BeaconApiError } from '@diva-dvt/beacon-api';
import { type BeaconApiImplementation, createRouteHandler } from '@diva-dvt/beacon-api/server';
import { type AttestationData, type Phase0Attestation, ssz } from '@diva-dvt/beacon-api/spec';

export const SLOTS_PER_EPOCH = 8;
const COMMITTEE_LENGTH = 4;

export interface DashboardChain {
  readonly url: string;
  close(): Promise<void>;
}

const root = (fill: number) => new Uint8Array(32).fill(fill);
const headRoot = (slot: number) => root(0x80 + (slot % 64));

export async function startDashboardChain(options: {
  readonly genesisTimeSec: number;
  readonly slotMs: number;
  /** The validators served (indices 0, 1, ...). */
  readonly validators: readonly number[];
}): Promise<DashboardChain> {
  const { genesisTimeSec, slotMs, validators } = options;
  const currentSlot = () => Math.max(0, Math.floor((Date.now() - genesisTimeSec * 1000) / slotMs));
  const attesterSlot = (v: number) => (3 * v + 2) % SLOTS_PER_EPOCH;
  const proposerSlot = (v: number) => (5 + v) % SLOTS_PER_EPOCH || 1;
  const data = (slot: number, index: number): AttestationData => {
    const epoch = Math.floor(slot / SLOTS_PER_EPOCH);
    return {
      slot,
      index,
      beaconBlockRoot: headRoot(slot),
      source: { epoch: Math.max(0, epoch - 1), root: root(1) },
      target: { epoch, root: root(2) },
    };
  };
  const pool: Phase0Attestation[] = [];
  const impl: BeaconApiImplementation = {
    getSpec: () => ({
      data: {
        PRESET_BASE: 'minimal',
        CONFIG_NAME: 'minimal',
        SECONDS_PER_SLOT: String(Math.max(1, Math.round(slotMs / 1000))),
        SLOT_DURATION_MS: String(slotMs),
        SLOTS_PER_EPOCH: String(SLOTS_PER_EPOCH),
        TARGET_AGGREGATORS_PER_COMMITTEE: '16',
        SYNC_COMMITTEE_SIZE: '32',
        SYNC_COMMITTEE_SUBNET_COUNT: '4',
        TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: '16',
        EPOCHS_PER_SYNC_COMMITTEE_PERIOD: '8',
        MAX_COMMITTEES_PER_SLOT: '4',
        GENESIS_FORK_VERSION: '0x00000001',
        ALTAIR_FORK_VERSION: '0x01000001',
        ALTAIR_FORK_EPOCH: '0',
        BELLATRIX_FORK_VERSION: '0x02000001',
        BELLATRIX_FORK_EPOCH: '18446744073709551615',
      },
      meta: {},
    }),
    getGenesis: () => ({
      data: {
        genesisTime: genesisTimeSec,
        genesisValidatorsRoot: root(0x5a),
        genesisForkVersion: Uint8Array.of(0, 0, 0, 1),
      },
      meta: {},
    }),
    getSyncingStatus: () => ({
      data: {
        headSlot: currentSlot(),
        syncDistance: 0,
        isSyncing: false,
        isOptimistic: false,
        elOffline: false,
      },
      meta: {},
    }),
    getAttesterDuties: ({ epoch, indices }) => ({
      data: indices
        .filter((i) => validators.includes(i))
        .map((validatorIndex) => ({
          pubkey: new Uint8Array(48),
          validatorIndex,
          committeeIndex: validatorIndex % 2,
          committeeLength: COMMITTEE_LENGTH,
          committeesAtSlot: 2,
          validatorCommitteeIndex: validatorIndex % COMMITTEE_LENGTH,
          slot: epoch * SLOTS_PER_EPOCH + attesterSlot(validatorIndex),
        })),
      meta: { dependentRoot: root(0x20 + (epoch % 64)), executionOptimistic: false },
    }),
    getProposerDuties: ({ epoch }) => ({
      data: Array.from({ length: SLOTS_PER_EPOCH }, (_, k) => ({
        pubkey: new Uint8Array(48),
        validatorIndex: validators.find((v) => proposerSlot(v) === k) ?? 100 + k,
        slot: epoch * SLOTS_PER_EPOCH + k,
      })),
      meta: { dependentRoot: root(0), executionOptimistic: false },
    }),
    getSyncCommitteeDuties: ({ indices }) => ({
      data: indices
        .filter((i) => validators.includes(i))
        .map((validatorIndex) => ({
          pubkey: new Uint8Array(48),
          validatorIndex,
          validatorSyncCommitteeIndices: [validatorIndex * 9],
        })),
      meta: { executionOptimistic: false },
    }),
    prepareBeaconCommitteeSubnet: () => undefined,
    prepareSyncCommitteeSubnets: () => undefined,
    produceBlock: ({ slot, randaoReveal, graffiti }) => {
      const block = ssz.altair.BeaconBlock.defaultValue();
      block.slot = slot;
      block.proposerIndex = validators.find((v) => proposerSlot(v) === slot % SLOTS_PER_EPOCH) ?? 0;
      block.parentRoot = headRoot(slot - 1);
      block.body.randaoReveal = randaoReveal;
      block.body.graffiti = graffiti;
      return {
        data: block,
        meta: { version: 'altair', blinded: false, executionPayloadValue: 0n, consensusBlockValue: 0n },
      };
    },
    publishBlock: () => undefined,
    produceAttestationData: ({ slot, committeeIndex }) => ({ data: data(slot, committeeIndex), meta: {} }),
    submitPoolAttestations: ({ data: list }) => {
      pool.push(...(list as Phase0Attestation[]));
      if (pool.length > 1_000) pool.splice(0, pool.length - 1_000);
    },
    getAggregatedAttestation: ({ slot, committeeIndex }) => ({
      data: {
        aggregationBits: ssz.phase0.Attestation.fields.aggregationBits.fromJson('0x1f'),
        data: data(slot, committeeIndex ?? 0),
        signature: new Uint8Array(96),
      },
      meta: { version: 'altair' },
    }),
    publishAggregateAndProofs: () => undefined,
    getBlockHeader: () => {
      const slot = currentSlot();
      const header = ssz.phase0.SignedBeaconBlockHeader.defaultValue();
      header.message.slot = slot;
      return {
        data: { root: headRoot(slot), canonical: true, header },
        meta: { executionOptimistic: false, finalized: false },
      };
    },
    getBlock: ({ blockId }) => {
      const slot = Number(blockId);
      if (slot % 3 === 0 || slot > currentSlot()) {
        throw new BeaconApiError({ code: 'REQUEST_REJECTED', status: 404, reason: 'No block found' });
      }
      const block = ssz.altair.SignedBeaconBlock.defaultValue();
      block.message.slot = slot;
      block.message.body.attestations = pool.filter((a) => a.data.slot < slot && a.data.slot >= slot - 3);
      return { data: block, meta: { version: 'altair', executionOptimistic: false, finalized: false } };
    },
    submitPoolSyncCommitteeSignatures: () => undefined,
    produceSyncCommitteeContribution: ({ slot, subcommitteeIndex, beaconBlockRoot }) => ({
      data: {
        slot,
        beaconBlockRoot,
        subcommitteeIndex,
        aggregationBits: ssz.altair.SyncCommitteeContribution.fields.aggregationBits.fromJson('0xcb'),
        signature: new Uint8Array(96),
      },
      meta: {},
    }),
    publishContributionAndProofs: () => undefined,
  } as BeaconApiImplementation;
  const server = createServer(createRouteHandler(impl));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
