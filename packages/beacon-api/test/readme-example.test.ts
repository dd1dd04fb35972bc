// The README example, run against two loopback beacon nodes (one of them down): read the chain
// spec and check the preset, fetch duties, fetch attestation data within a deadline, compute the
// signing root; the root must equal the one computed directly from the same data and domain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBeaconNodeClient,
  createBeaconNodePool,
  type PoolEvent,
  parseChainSpec,
} from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import {
  assertPreset,
  attestationDataSigningRoot,
  computeDomain,
  computeSigningRoot,
  createSigningContext,
  DOMAIN_TYPES,
  forkScheduleFromSpec,
  ssz,
} from '../src/spec.ts';
import { startServer, type TestServer } from './helpers/http.ts';
import { createRng, randomValue } from './helpers/random.ts';

const rng = createRng(77);
const genesis = randomValue(ssz.phase0.Genesis, rng);
const spec = {
  PRESET_BASE: 'mainnet',
  SECONDS_PER_SLOT: '12',
  SLOTS_PER_EPOCH: '32',
  MAX_COMMITTEES_PER_SLOT: '64',
  TARGET_COMMITTEE_SIZE: '128',
  SYNC_COMMITTEE_SIZE: '512',
  EPOCHS_PER_SYNC_COMMITTEE_PERIOD: '256',
  GENESIS_FORK_VERSION: '0x00000000',
  ALTAIR_FORK_VERSION: '0x01000000',
  ALTAIR_FORK_EPOCH: '10',
  BELLATRIX_FORK_VERSION: '0x02000000',
  BELLATRIX_FORK_EPOCH: '18446744073709551615',
};
const attData = (slot: number, committeeIndex: number) => ({
  ...randomValue(ssz.phase0.AttestationData, createRng(slot)),
  slot,
  index: committeeIndex,
  target: { epoch: Math.floor(slot / 32), root: new Uint8Array(32).fill(slot % 256) },
});

let up: TestServer;
let downUrl: string;
beforeAll(async () => {
  up = await startServer(
    createRouteHandler({
      getGenesis: () => ({ data: genesis, meta: {} }),
      getSpec: () => ({ data: spec, meta: {} }),
      getAttesterDuties: ({ epoch, indices }) => ({
        data: indices.map((i, k) => ({
          pubkey: new Uint8Array(48).fill(i),
          validatorIndex: i,
          committeeIndex: k,
          committeeLength: 100,
          committeesAtSlot: 2,
          validatorCommitteeIndex: 7,
          slot: epoch * 32 + k,
        })),
        meta: { dependentRoot: new Uint8Array(32), executionOptimistic: false },
      }),
      produceAttestationData: ({ slot, committeeIndex }) => ({
        data: attData(slot, committeeIndex),
        meta: {},
      }),
    }),
  );
  const down = await startServer((_q, res) => res.end());
  downUrl = down.url;
  await down.close();
});
afterAll(() => up.close());

describe('README example', () => {
  it('fetches duties through a pool with a dead node and signs the attestation data root', async () => {
    const events: PoolEvent[] = [];
    const pool = createBeaconNodePool({
      nodes: [
        createBeaconNodeClient({ url: downUrl, label: 'down' }),
        createBeaconNodeClient({ url: up.url, label: 'up' }),
      ],
      onEvent: (e) => events.push(e),
    });
    const api = pool.api;
    const g = await api.getGenesis();
    const s = parseChainSpec((await api.getSpec()).data);
    assertPreset(s.PRESET_BASE);
    const ctx = createSigningContext({
      genesisValidatorsRoot: g.data.genesisValidatorsRoot,
      schedule: forkScheduleFromSpec(s.values),
    });
    const epoch = 12;
    const duties = await api.getAttesterDuties({ epoch, indices: [42, 43] });
    expect(duties.data.map((d) => d.validatorIndex)).toEqual([42, 43]);
    for (const duty of duties.data) {
      const deadlineMs = performance.now() + (s.SLOT_DURATION_MS * 2) / 3;
      const { data } = await api.produceAttestationData(
        { slot: duty.slot, committeeIndex: duty.committeeIndex },
        { deadlineMs },
      );
      const root = attestationDataSigningRoot(ctx, data);
      // altair (0x01000000) is active at epoch 12
      const domain = computeDomain(
        DOMAIN_TYPES.beaconAttester,
        Uint8Array.of(1, 0, 0, 0),
        genesis.genesisValidatorsRoot,
      );
      expect(Buffer.from(root).toString('hex')).toBe(
        Buffer.from(
          computeSigningRoot(ssz.phase0.AttestationData, attData(duty.slot, duty.committeeIndex), domain),
        ).toString('hex'),
      );
    }
    // The dead node was tried once, then ranked last.
    expect(events.filter((e) => e.type === 'failover')).toHaveLength(1);
    expect(pool.ranked().map((n) => n.label)).toEqual(['up', 'down']);
  });
});
