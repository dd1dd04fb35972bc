// The binary drops Node's ExperimentalWarning for node:sqlite and nothing else: a real Node process
// loads node:sqlite with and without the filter.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isSqliteExperimentalWarning } from '../src/warnings.ts';

const WARNINGS = new URL('../src/warnings.ts', import.meta.url).href;

function runScript(silence: boolean): string {
  const script = [
    `const { silenceSqliteExperimentalWarning } = await import(${JSON.stringify(WARNINGS)});`,
    silence ? 'silenceSqliteExperimentalWarning();' : '',
    "await import('node:sqlite');",
    "process.emitWarning('another experiment', 'ExperimentalWarning');",
    "process.emitWarning('something deprecated', { type: 'DeprecationWarning', code: 'X1' });",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status).toBe(0);
  return r.stderr;
}

describe('the SQLite experimental warning', () => {
  it('is printed by Node unless the filter is installed; other warnings still are', () => {
    const plain = runScript(false);
    expect(plain).toMatch(/ExperimentalWarning: SQLite/);
    const silenced = runScript(true);
    expect(silenced).not.toMatch(/SQLite/);
    expect(silenced).toContain('ExperimentalWarning: another experiment');
    expect(silenced).toContain('something deprecated');
  });

  it('recognises the warning in each form emitWarning takes', () => {
    const e = new Error('SQLite is an experimental feature');
    e.name = 'ExperimentalWarning';
    expect(isSqliteExperimentalWarning(e)).toBe(true);
    expect(isSqliteExperimentalWarning('SQLite is experimental', 'ExperimentalWarning')).toBe(true);
    expect(isSqliteExperimentalWarning('SQLite is experimental', { type: 'ExperimentalWarning' })).toBe(true);
    expect(isSqliteExperimentalWarning('SQLite is experimental', 'DeprecationWarning')).toBe(false);
    expect(isSqliteExperimentalWarning('Fetch is experimental', 'ExperimentalWarning')).toBe(false);
  });
});
