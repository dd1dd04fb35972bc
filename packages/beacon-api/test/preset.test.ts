// Choosing the SSZ preset: in fresh Node processes (the choice is per process and fixed at first
// load), selectPreset before the package loads gives minimal types, LODESTAR_PRESET does the same,
// and a choice made after load throws instead of silently keeping the other preset.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = (f: string) => fileURLToPath(new URL(`../src/${f}`, import.meta.url));

function run(code: string, env: Record<string, string> = {}): string {
  const { LODESTAR_PRESET: _omit, ...base } = process.env;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], {
    env: { ...base, ...env },
    encoding: 'utf8',
  }).trim();
}

describe('preset choice', () => {
  it('selectPreset before loading gives the minimal types', () => {
    const out = run(`
      import { selectPreset } from ${JSON.stringify(src('preset.ts'))};
      selectPreset('minimal');
      const api = await import(${JSON.stringify(src('index.ts'))});
      api.assertPreset('minimal');
      console.log(api.activePreset, api.ssz.altair.SyncCommitteeBits.lengthBits);
    `);
    expect(out).toBe('minimal 32');
  });

  it('LODESTAR_PRESET selects too, and mainnet is the default', () => {
    const code = `const api = await import(${JSON.stringify(src('index.ts'))}); console.log(api.activePreset, api.ssz.altair.SyncCommitteeBits.lengthBits);`;
    expect(run(code, { LODESTAR_PRESET: 'minimal' })).toBe('minimal 32');
    expect(run(code)).toBe('mainnet 512');
  });

  it('a late choice throws PresetSelectionError and assertPreset catches a mismatch', () => {
    const out = run(`
      const api = await import(${JSON.stringify(src('index.ts'))});
      const { selectPreset } = await import(${JSON.stringify(src('preset.ts'))});
      try { selectPreset('minimal'); console.log('no error'); } catch (e) { console.log(e.name); }
      try { api.assertPreset('minimal'); console.log('no error'); } catch (e) { console.log(e.code); }
      try { selectPreset('gnosis'); } catch (e) { console.log(e.name); }
    `);
    expect(out.split('\n')).toEqual(['PresetSelectionError', 'INVALID_CONFIG', 'PresetSelectionError']);
  });
});
