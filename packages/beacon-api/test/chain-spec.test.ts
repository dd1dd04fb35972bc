// The connected node's spec constants, typed: a spec map built the way Lodestar builds its
// `/eth/v1/config/spec` answer (preset values, chain config, spec constants), served over loopback
// and read back with parseChainSpec, for both presets; missing or malformed values are named.
import { chainConfigToJson } from '@lodestar/config';
import { minimalChainConfig } from '@lodestar/config/configs';
import { chainConfig as mainnetConfig } from '@lodestar/config/default';
import { type BeaconPreset, presetToJson } from '@lodestar/params';
import { mainnetPreset } from '@lodestar/params/presets/mainnet';
import { minimalPreset } from '@lodestar/params/presets/minimal';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createBeaconApi,
  createBeaconNodeClient,
  isBeaconApiError,
  parseChainSpec,
  type SpecValue,
} from '../src/index.ts';
import { createRouteHandler } from '../src/server.ts';
import { startServer, type TestServer } from './helpers/http.ts';

// Spec constants Lodestar adds to the map (validator guide and networking values).
const constants = {
  TARGET_AGGREGATORS_PER_COMMITTEE: '16',
  SYNC_COMMITTEE_SUBNET_COUNT: '4',
  TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: '16',
  ATTESTATION_SUBNET_COUNT: '64',
};

function nodeSpec(preset: BeaconPreset, config: typeof mainnetConfig): Record<string, SpecValue> {
  return { ...presetToJson(preset), ...chainConfigToJson(config), ...constants };
}

function without(values: Record<string, SpecValue>, ...keys: string[]): Record<string, SpecValue> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => !keys.includes(k)));
}

const servers: TestServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));

describe('parseChainSpec', () => {
  for (const [name, preset, config] of [
    ['mainnet', mainnetPreset, mainnetConfig],
    ['minimal', minimalPreset, minimalChainConfig],
  ] as const) {
    it(`reads a ${name} node's spec as numbers, fetched over HTTP`, async () => {
      const values = nodeSpec(preset, config);
      const s = await startServer(createRouteHandler({ getSpec: () => ({ data: values, meta: {} }) }));
      servers.push(s);
      const api = createBeaconApi(createBeaconNodeClient({ url: s.url }));
      const spec = parseChainSpec((await api.getSpec()).data);
      expect(spec).toMatchObject({
        PRESET_BASE: name,
        CONFIG_NAME: config.CONFIG_NAME,
        SECONDS_PER_SLOT: config.SECONDS_PER_SLOT,
        SLOT_DURATION_MS: config.SECONDS_PER_SLOT * 1000,
        SLOTS_PER_EPOCH: preset.SLOTS_PER_EPOCH,
        MAX_COMMITTEES_PER_SLOT: preset.MAX_COMMITTEES_PER_SLOT,
        TARGET_COMMITTEE_SIZE: preset.TARGET_COMMITTEE_SIZE,
        SYNC_COMMITTEE_SIZE: preset.SYNC_COMMITTEE_SIZE,
        EPOCHS_PER_SYNC_COMMITTEE_PERIOD: preset.EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
        TARGET_AGGREGATORS_PER_COMMITTEE: 16,
        SYNC_COMMITTEE_SUBNET_COUNT: 4,
        TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: 16,
        ATTESTATION_SUBNET_COUNT: 64,
      });
      expect(spec.values.SLOTS_PER_EPOCH).toBe(String(preset.SLOTS_PER_EPOCH));
      expect(Object.keys(spec.values).length).toBe(Object.keys(values).length);
    });
  }

  it('takes the spec constants when the node leaves them out, and the slot time from either key', () => {
    const rest = without(
      nodeSpec(minimalPreset, minimalChainConfig),
      'TARGET_AGGREGATORS_PER_COMMITTEE',
      'SYNC_COMMITTEE_SUBNET_COUNT',
    );
    const spec = parseChainSpec({ ...rest, TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE: '8' });
    expect(spec.TARGET_AGGREGATORS_PER_COMMITTEE).toBe(16);
    expect(spec.SYNC_COMMITTEE_SUBNET_COUNT).toBe(4);
    expect(spec.TARGET_AGGREGATORS_PER_SYNC_SUBCOMMITTEE).toBe(8); // the node's value wins
    const noSlotTime = without(rest, 'SECONDS_PER_SLOT', 'SLOT_DURATION_MS');
    expect(parseChainSpec({ ...noSlotTime, SLOT_DURATION_MS: '4000' })).toMatchObject({
      SECONDS_PER_SLOT: 4,
      SLOT_DURATION_MS: 4000,
    });
    expect(parseChainSpec({ ...noSlotTime, SECONDS_PER_SLOT: '5' })).toMatchObject({
      SECONDS_PER_SLOT: 5,
      SLOT_DURATION_MS: 5000,
    });
  });

  it('names a missing or malformed value with INVALID_CONFIG', () => {
    const good = nodeSpec(mainnetPreset, mainnetConfig);
    const fieldOf = (values: Record<string, SpecValue>) => {
      try {
        parseChainSpec(values);
      } catch (e) {
        if (isBeaconApiError(e, 'INVALID_CONFIG')) return e.details.field;
        throw e;
      }
      return 'accepted';
    };
    expect(fieldOf(without(good, 'SLOTS_PER_EPOCH'))).toBe('SLOTS_PER_EPOCH');
    expect(fieldOf(without(good, 'PRESET_BASE'))).toBe('PRESET_BASE');
    expect(fieldOf(without(good, 'SECONDS_PER_SLOT', 'SLOT_DURATION_MS'))).toBe('SECONDS_PER_SLOT');
    expect(fieldOf({ ...good, SYNC_COMMITTEE_SIZE: '0x200' })).toBe('SYNC_COMMITTEE_SIZE');
    expect(fieldOf({ ...good, SLOTS_PER_EPOCH: '0' })).toBe('SLOTS_PER_EPOCH');
    expect(fieldOf({ ...good, TARGET_AGGREGATORS_PER_COMMITTEE: '-1' })).toBe(
      'TARGET_AGGREGATORS_PER_COMMITTEE',
    );
    expect(fieldOf(good)).toBe('accepted');
  });
});
