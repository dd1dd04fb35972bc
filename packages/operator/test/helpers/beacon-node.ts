// A beacon node for unit tests: beacon-api's route handler (the same route definitions the client
// uses) on a real loopback HTTP server, answering spec-shaped minimal-preset bodies for one chain
// and recording every request with the fake clock's time at which it arrived.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BitArray } from '@chainsafe/ssz';
import { type BeaconApiImplementation, createRouteHandler } from '@diva-dvt/beacon-api/server';
import {
  type AttestationData,
  createSigningContext,
  forkScheduleFromSpec,
  type SigningContext,
  ssz,
} from '@diva-dvt/beacon-api/spec';
import type { Clock } from '../../src/index.ts';

/** GET /eth/v1/config/spec of a minimal-preset altair chain (what Lodestar 1.5.1 sends, in part). */
export const MINIMAL_SPEC: Readonly<Record<string, string>> = {
  PRESET_BASE: 'minimal',
  CONFIG_NAME: 'minimal',
  SECONDS_PER_SLOT: '6',
  SLOTS_PER_EPOCH: '8',
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
};

export const GENESIS_TIME_SEC = 1_700_000_000;
export const GENESIS_VALIDATORS_ROOT = new Uint8Array(32).fill(0x5a);
/** Our validator; it attests at slot 2 of each epoch in committee 1 (position 3 of 4). */
export const VALIDATOR = 5;
export const ATTESTER_SLOT_IN_EPOCH = 2;
export const COMMITTEE_INDEX = 1;
export const COMMITTEE_LENGTH = 4;
export const VALIDATOR_COMMITTEE_INDEX = 3;
/** It proposes at slot 1 of each epoch. */
export const PROPOSER_SLOT_IN_EPOCH = 1;
/** Its sync committee positions: subcommittees 0 and 2 of 8 members each. */
export const SYNC_COMMITTEE_INDICES = [3, 17];

/** The attester duties' dependent root the test node answers for `epoch`. */
export const dependentRootOf = (epoch: number) => new Uint8Array(32).fill(0x20 + (epoch % 64));
export const headRoot = (slot: number) => new Uint8Array(32).fill(0x80 + (slot % 64));

export function attestationData(slot: number, committeeIndex: number, slotsPerEpoch = 8): AttestationData {
  const epoch = Math.floor(slot / slotsPerEpoch);
  return {
    slot,
    index: committeeIndex,
    beaconBlockRoot: headRoot(slot),
    source: { epoch: Math.max(0, epoch - 1), root: new Uint8Array(32).fill(1) },
    target: { epoch, root: new Uint8Array(32).fill(2) },
  };
}

export interface RecordedCall {
  readonly endpoint: string;
  readonly atMs: number;
  // biome-ignore lint/suspicious/noExplicitAny: the arguments of whichever endpoint was called
  readonly args: any;
}

export interface TestBeaconNode {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** The signing context of the chain this node serves (for checking signatures). */
  readonly signing: SigningContext;
  callsTo(endpoint: string): RecordedCall[];
  close(): Promise<void>;
}

export async function startTestBeaconNode(options: {
  clock: Clock;
  spec?: Readonly<Record<string, string>>;
  overrides?: BeaconApiImplementation;
}): Promise<TestBeaconNode> {
  const spec = options.spec ?? MINIMAL_SPEC;
  const slotsPerEpoch = Number(spec.SLOTS_PER_EPOCH);
  const calls: RecordedCall[] = [];
  const rec =
    <A, R>(endpoint: string, fn: (args: A) => R) =>
    (args: A): R => {
      calls.push({ endpoint, atMs: options.clock.nowMs(), args });
      return fn(args);
    };
  const impl: BeaconApiImplementation = {
    getSpec: rec('getSpec', () => ({ data: spec, meta: {} })),
    getGenesis: rec('getGenesis', () => ({
      data: {
        genesisTime: GENESIS_TIME_SEC,
        genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
        genesisForkVersion: Uint8Array.of(0, 0, 0, 1),
      },
      meta: {},
    })),
    getAttesterDuties: rec('getAttesterDuties', ({ epoch, indices }) => ({
      data: indices
        .filter((i) => i === VALIDATOR)
        .map((validatorIndex) => ({
          pubkey: new Uint8Array(48),
          validatorIndex,
          committeeIndex: COMMITTEE_INDEX,
          committeeLength: COMMITTEE_LENGTH,
          committeesAtSlot: 2,
          validatorCommitteeIndex: VALIDATOR_COMMITTEE_INDEX,
          slot: epoch * slotsPerEpoch + ATTESTER_SLOT_IN_EPOCH,
        })),
      meta: { dependentRoot: dependentRootOf(epoch), executionOptimistic: false },
    })),
    getProposerDuties: rec('getProposerDuties', ({ epoch }) => ({
      data: Array.from({ length: slotsPerEpoch }, (_, k) => ({
        pubkey: new Uint8Array(48),
        validatorIndex: k === PROPOSER_SLOT_IN_EPOCH ? VALIDATOR : 100 + k,
        slot: epoch * slotsPerEpoch + k,
      })),
      meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false },
    })),
    getSyncCommitteeDuties: rec('getSyncCommitteeDuties', ({ indices }) => ({
      data: indices
        .filter((i) => i === VALIDATOR)
        .map((validatorIndex) => ({
          pubkey: new Uint8Array(48),
          validatorIndex,
          validatorSyncCommitteeIndices: SYNC_COMMITTEE_INDICES,
        })),
      meta: { executionOptimistic: false },
    })),
    prepareBeaconCommitteeSubnet: rec('prepareBeaconCommitteeSubnet', () => undefined),
    produceBlock: rec('produceBlock', ({ slot, randaoReveal, graffiti }) => {
      const block = ssz.altair.BeaconBlock.defaultValue();
      block.slot = slot;
      block.proposerIndex = VALIDATOR;
      block.parentRoot = headRoot(slot - 1);
      block.body.randaoReveal = randaoReveal;
      block.body.graffiti = graffiti;
      return {
        data: block,
        meta: { version: 'altair', blinded: false, executionPayloadValue: 0n, consensusBlockValue: 0n },
      };
    }),
    publishBlock: rec('publishBlock', () => undefined),
    produceAttestationData: rec('produceAttestationData', ({ slot, committeeIndex }) => ({
      data: attestationData(slot, committeeIndex, slotsPerEpoch),
      meta: {},
    })),
    submitPoolAttestations: rec('submitPoolAttestations', () => undefined),
    getAggregatedAttestation: rec('getAggregatedAttestation', ({ slot }) => {
      const aggregationBits = BitArray.fromBoolArray([true, false, true, true]);
      return {
        data: {
          aggregationBits,
          data: attestationData(slot, COMMITTEE_INDEX, slotsPerEpoch),
          signature: new Uint8Array(96),
        },
        meta: { version: 'altair' },
      };
    }),
    publishAggregateAndProofs: rec('publishAggregateAndProofs', () => undefined),
    getBlockHeader: rec('getBlockHeader', () => {
      const slot = Math.max(
        0,
        Math.floor((options.clock.nowMs() / 1000 - GENESIS_TIME_SEC) / Number(spec.SECONDS_PER_SLOT)),
      );
      const header = ssz.phase0.SignedBeaconBlockHeader.defaultValue();
      header.message.slot = slot;
      return {
        data: { root: headRoot(slot), canonical: true, header },
        meta: { executionOptimistic: false, finalized: false },
      };
    }),
    submitPoolSyncCommitteeSignatures: rec('submitPoolSyncCommitteeSignatures', () => undefined),
    produceSyncCommitteeContribution: rec(
      'produceSyncCommitteeContribution',
      ({ slot, subcommitteeIndex, beaconBlockRoot }) => ({
        data: {
          slot,
          beaconBlockRoot,
          subcommitteeIndex,
          aggregationBits: BitArray.fromBoolArray([true, true, false, true, false, false, true, true]),
          signature: new Uint8Array(96),
        },
        meta: {},
      }),
    ),
    publishContributionAndProofs: rec('publishContributionAndProofs', () => undefined),
  };
  for (const [name, fn] of Object.entries(options.overrides ?? {})) {
    (impl as Record<string, unknown>)[name] = rec(name, fn as (a: unknown) => unknown);
  }
  const server = createServer(createRouteHandler(impl));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    signing: createSigningContext({
      genesisValidatorsRoot: GENESIS_VALIDATORS_ROOT,
      schedule: forkScheduleFromSpec(spec),
    }),
    callsTo: (endpoint) => calls.filter((c) => c.endpoint === endpoint),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
