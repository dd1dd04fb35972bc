// A beacon node of an electra/fulu chain for unit tests (the only node that installs here, Lodestar
// 1.5.1, is altair-era): the altair helper's chain with every fork up to electra at genesis and
// fulu from epoch 1, answering electra/fulu spec-shaped bodies — attestation data with index 0, v2
// aggregates with committee_bits, v3 block contents (block, kzg_proofs, blobs) or blinded blocks —
// and recording exits and builder registrations. Also Lodestar's own view of that chain
// (`lodestarChain`): the @lodestar/config that @lodestar/state-transition 1.46.0 itself depends on,
// loaded from beside it (this package does not depend on it directly), for checking signatures
// with Lodestar's signature sets and its blst verification.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BitArray } from '@chainsafe/ssz';
import type { BeaconApiImplementation } from '@diva-dvt/beacon-api/server';
import { type Fork, forkAtEpoch, forkScheduleFromSpec, ssz } from '@diva-dvt/beacon-api/spec';
import type { getBlockProposerSignatureSet } from '@lodestar/state-transition';
import type { Clock } from '../../src/index.ts';
import {
  attestationData,
  COMMITTEE_LENGTH,
  GENESIS_VALIDATORS_ROOT,
  headRoot,
  MINIMAL_SPEC,
  startTestBeaconNode,
  type TestBeaconNode,
  VALIDATOR,
} from './beacon-node.ts';

export const FULU_EPOCH = 1;

/** The altair chain of MINIMAL_SPEC with bellatrix to electra at genesis and fulu at epoch 1. */
export const ELECTRA_SPEC: Readonly<Record<string, string>> = {
  ...MINIMAL_SPEC,
  BELLATRIX_FORK_VERSION: '0x02000001',
  BELLATRIX_FORK_EPOCH: '0',
  CAPELLA_FORK_VERSION: '0x03000001',
  CAPELLA_FORK_EPOCH: '0',
  DENEB_FORK_VERSION: '0x04000001',
  DENEB_FORK_EPOCH: '0',
  ELECTRA_FORK_VERSION: '0x05000001',
  ELECTRA_FORK_EPOCH: '0',
  FULU_FORK_VERSION: '0x06000001',
  FULU_FORK_EPOCH: String(FULU_EPOCH),
};

const schedule = forkScheduleFromSpec(ELECTRA_SPEC);
export const forkOfSlot = (slot: number): Fork => forkAtEpoch(schedule, Math.floor(slot / 8)).fork;

/** Electra attestation data: the altair helper's, with index 0 (EIP-7549). */
export const electraAttestationData = (slot: number) => ({ ...attestationData(slot, 0), index: 0 });

/** What the node puts beside a full block: one blob, with one KZG proof (electra) or 128 cell proofs (fulu). */
export function blobsOf(fork: Fork): { kzgProofs: Uint8Array[]; blobs: Uint8Array[] } {
  const blob = new Uint8Array(ssz.deneb.Blob.fixedSize ?? 131_072).fill(7);
  const proofs = fork === 'fulu' ? 128 : 1;
  return { blobs: [blob], kzgProofs: Array.from({ length: proofs }, (_, i) => new Uint8Array(48).fill(i)) };
}

export async function startElectraBeaconNode(options: {
  clock: Clock;
  /** Answer produceBlock with blinded blocks. */
  blinded?: boolean;
  overrides?: BeaconApiImplementation;
}): Promise<TestBeaconNode> {
  const impl: BeaconApiImplementation = {
    produceAttestationData: ({ slot }) => ({ data: electraAttestationData(slot), meta: {} }),
    getAggregatedAttestation: ({ slot, committeeIndex }) => {
      const committeeBits = ssz.electra.Attestation.defaultValue().committeeBits;
      committeeBits.set(committeeIndex, true);
      return {
        data: {
          aggregationBits: BitArray.fromBoolArray(
            Array.from({ length: COMMITTEE_LENGTH }, (_, i) => i !== 1),
          ),
          data: electraAttestationData(slot),
          signature: new Uint8Array(96),
          committeeBits,
        },
        meta: { version: forkOfSlot(slot) },
      };
    },
    produceBlock: ({ slot, randaoReveal, graffiti }) => {
      const fork = forkOfSlot(slot) as 'electra' | 'fulu';
      const blinded = options.blinded === true;
      const block = blinded
        ? ssz[fork].BlindedBeaconBlock.defaultValue()
        : ssz[fork].BeaconBlock.defaultValue();
      block.slot = slot;
      block.proposerIndex = VALIDATOR;
      block.parentRoot = headRoot(slot - 1);
      block.body.randaoReveal = randaoReveal;
      block.body.graffiti = graffiti;
      const meta = { version: fork, blinded, executionPayloadValue: 1n, consensusBlockValue: 2n };
      return { data: blinded ? block : { block, ...blobsOf(fork) }, meta };
    },
    publishBlindedBlock: () => undefined,
    submitPoolVoluntaryExit: () => undefined,
    registerValidator: () => undefined,
    prepareBeaconProposer: () => undefined,
    ...options.overrides,
  };
  return startTestBeaconNode({ clock: options.clock, spec: ELECTRA_SPEC, overrides: impl });
}

type LodestarConfig = Parameters<typeof getBlockProposerSignatureSet>[0];

/** Lodestar's BeaconConfig for ELECTRA_SPEC's chain, from the @lodestar/config beside state-transition. */
export async function lodestarChain(): Promise<{ config: LodestarConfig; params: Record<string, unknown> }> {
  const here = dirname(fileURLToPath(import.meta.url));
  const stateTransition = realpathSync(join(here, '../../node_modules/@lodestar/state-transition'));
  const lib = (pkg: string) => pathToFileURL(join(stateTransition, '..', pkg, 'lib/index.js')).href;
  const { createBeaconConfig } = (await import(lib('config'))) as {
    createBeaconConfig: (chainConfig: Record<string, unknown>, gvr: Uint8Array) => LodestarConfig;
  };
  const params = (await import(lib('params'))) as Record<string, unknown>;
  const version = (v: string | undefined) => Uint8Array.from(Buffer.from((v ?? '').slice(2), 'hex'));
  const chainConfig: Record<string, unknown> = { PRESET_BASE: 'minimal', CONFIG_NAME: 'minimal' };
  for (const fork of ['GENESIS', 'ALTAIR', 'BELLATRIX', 'CAPELLA', 'DENEB', 'ELECTRA', 'FULU']) {
    chainConfig[`${fork}_FORK_VERSION`] = version(ELECTRA_SPEC[`${fork}_FORK_VERSION`]);
    if (fork !== 'GENESIS') chainConfig[`${fork}_FORK_EPOCH`] = Number(ELECTRA_SPEC[`${fork}_FORK_EPOCH`]);
  }
  return { config: createBeaconConfig(chainConfig, GENESIS_VALIDATORS_ROOT), params };
}
