// The public surface of every entry point, frozen: adding, removing or renaming an export must
// change a snapshot here (and be a deliberate API change). Besides the names, what each entry
// loads: `./spec` never reaches the HTTP client, `.` never reaches the node:http server helper,
// `./preset` never reaches @lodestar/params itself (loading it would fix the preset).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

/** Every module a source file reaches through static imports (relative files and package names). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    const rel = file.slice(srcDir.length);
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)';/gms)) {
      const spec = m[1] as string;
      if (/^(?:import|export)\s+type\s/.test(m[0])) continue; // erased at runtime
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else seen.add(spec);
    }
  };
  visit(resolve(srcDir, entry));
  return seen;
}

describe('entry points', () => {
  it('@diva-dvt/beacon-api exports exactly these names', async () => {
    expect(Object.keys(await import('../src/index.ts')).sort()).toMatchInlineSnapshot(`
      [
        "BeaconApiError",
        "createBeaconApi",
        "createBeaconNodeClient",
        "createBeaconNodePool",
        "endpoints",
        "isBeaconApiError",
        "parseChainSpec",
        "subscribeEvents",
      ]
    `);
  });

  it('@diva-dvt/beacon-api/spec exports exactly these names', async () => {
    expect(Object.keys(await import('../src/spec.ts')).sort()).toMatchInlineSnapshot(`
      [
        "BeaconApiError",
        "DOMAIN_TYPES",
        "FORKS",
        "activePreset",
        "aggregateAndProofSigningRoot",
        "aggregateAndProofType",
        "assertPreset",
        "attestationDataSigningRoot",
        "attestationType",
        "blockHeaderSigningRoot",
        "blockSigningRoot",
        "blockType",
        "builderDomain",
        "builderRegistrationSigningRoot",
        "computeDomain",
        "computeEpochAtSlot",
        "computeForkDataRoot",
        "computeSigningRoot",
        "contributionAndProofSigningRoot",
        "createDepositDataJson",
        "createForkSchedule",
        "createSigningContext",
        "depositDataRoot",
        "depositDomain",
        "depositMessageRoot",
        "depositSigningRoot",
        "domainAtEpoch",
        "forkAtEpoch",
        "forkAtLeast",
        "forkAtSlot",
        "forkScheduleFromSpec",
        "getDomain",
        "isBeaconApiError",
        "isFork",
        "parseDepositDataFile",
        "producedBlockType",
        "publishedBlockType",
        "randaoSigningRoot",
        "scheduledFork",
        "selectionProofSigningRoot",
        "serializeDepositDataFile",
        "signedBlockType",
        "signingRootOfObjectRoot",
        "ssz",
        "sszTypesFor",
        "syncCommitteeMessageSigningRoot",
        "syncCommitteeSelectionProofSigningRoot",
        "voluntaryExitDomain",
        "voluntaryExitSigningRoot",
      ]
    `);
  });

  it('@diva-dvt/beacon-api/server exports exactly these names', async () => {
    expect(Object.keys(await import('../src/server.ts')).sort()).toMatchInlineSnapshot(`
      [
        "createRouteHandler",
      ]
    `);
  });

  it('@diva-dvt/beacon-api/preset exports exactly these names', async () => {
    expect(Object.keys(await import('../src/preset.ts')).sort()).toMatchInlineSnapshot(`
      [
        "BeaconApiError",
        "isBeaconApiError",
        "selectPreset",
      ]
    `);
  });

  it('./spec does not load the HTTP client, the pool, events or the server helper', () => {
    const mods = reachable('spec.ts');
    for (const m of ['client.ts', 'pool.ts', 'events.ts', 'server.ts', 'endpoints.ts', 'internal/http.ts']) {
      expect(mods.has(m), m).toBe(false);
    }
    expect([...mods].filter((m) => m.startsWith('node:'))).toEqual([]);
    expect(mods.has('signing.ts') && mods.has('deposit.ts') && mods.has('types.ts')).toBe(true);
  });

  it('. does not load the node:http server helper', () => {
    const mods = reachable('index.ts');
    expect(mods.has('server.ts')).toBe(false);
    expect([...mods].filter((m) => m.startsWith('node:'))).toEqual([]);
    expect(mods.has('client.ts') && mods.has('pool.ts')).toBe(true);
  });

  it('./preset loads only @lodestar/params/setPreset, not @lodestar/params', () => {
    const mods = reachable('preset.ts');
    expect([...mods].filter((m) => !m.endsWith('.ts')).sort()).toEqual(['@lodestar/params/setPreset']);
  });

  it('no entry point re-exports from internal/ or uses export *', () => {
    for (const entry of ['index.ts', 'spec.ts', 'server.ts', 'preset.ts']) {
      const text = readFileSync(resolve(srcDir, entry), 'utf8');
      expect(text).not.toMatch(/export\s*\*/);
      expect(text).not.toMatch(/export[^;]*from\s+'\.\/internal\//);
    }
  });
});
