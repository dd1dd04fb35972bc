// Choosing the SSZ preset: in fresh Node processes (the choice is per process and fixed at first
// load), selectPreset before the package loads gives minimal types, LODESTAR_PRESET does the same,
// and a choice made after load is checked: it passes when it names the loaded preset and throws
// PRESET_MISMATCH (both names, how to fix) instead of silently keeping the other preset.
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
      const api = await import(${JSON.stringify(src('spec.ts'))});
      api.assertPreset('minimal');
      selectPreset('minimal'); // after load: a check, and it holds
      console.log(api.activePreset, api.ssz.altair.SyncCommitteeBits.lengthBits);
    `);
    expect(out).toBe('minimal 32');
  });

  it('LODESTAR_PRESET selects too, and mainnet is the default', () => {
    const code = `const api = await import(${JSON.stringify(src('spec.ts'))}); console.log(api.activePreset, api.ssz.altair.SyncCommitteeBits.lengthBits);`;
    expect(run(code, { LODESTAR_PRESET: 'minimal' })).toBe('minimal 32');
    expect(run(code)).toBe('mainnet 512');
  });

  it('a late other choice throws PRESET_MISMATCH, and so do assertPreset and the client option', () => {
    const out = run(`
      const spec = await import(${JSON.stringify(src('spec.ts'))});
      const client = await import(${JSON.stringify(src('index.ts'))});
      const { selectPreset, isBeaconApiError } = await import(${JSON.stringify(src('preset.ts'))});
      const show = (f) => {
        try { f(); console.log('no error'); } catch (e) {
          console.log(isBeaconApiError(e) ? JSON.stringify(e.details) : 'other ' + e);
        }
      };
      show(() => selectPreset('minimal'));
      show(() => spec.assertPreset('minimal'));
      show(() => client.createBeaconNodeClient({ url: 'http://127.0.0.1:1', preset: 'minimal' }));
      show(() => selectPreset('mainnet'));
      show(() => client.createBeaconNodeClient({ url: 'http://127.0.0.1:1', preset: 'mainnet' }));
      show(() => selectPreset('gnosis'));
    `);
    const lines = out.split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines.slice(0, 3)) {
      const d = JSON.parse(line) as Record<string, string>;
      expect(d).toMatchObject({ code: 'PRESET_MISMATCH', requested: 'minimal', active: 'mainnet' });
      expect(d.hint).toContain('LODESTAR_PRESET=minimal');
      expect(d.hint).toContain("selectPreset('minimal')");
    }
    expect(lines.slice(3, 5)).toEqual(['no error', 'no error']);
    expect(JSON.parse(lines[5] as string)).toMatchObject({ code: 'INVALID_CONFIG', field: 'preset' });
  });

  it('a late choice under LODESTAR_PRESET=minimal names minimal as the loaded preset', () => {
    const out = run(
      `
      await import(${JSON.stringify(src('spec.ts'))});
      const { selectPreset } = await import(${JSON.stringify(src('preset.ts'))});
      selectPreset('minimal');
      try { selectPreset('mainnet'); } catch (e) { console.log(e.details.code, e.details.active, e.details.requested); }
    `,
      { LODESTAR_PRESET: 'minimal' },
    );
    expect(out).toBe('PRESET_MISMATCH minimal mainnet');
  });
});
