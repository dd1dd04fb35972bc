// The diva-node command line, run as a real process: help, version, and clear errors with exit
// code 2 for a bad command line or configuration.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseRunArguments } from '../src/index.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('diva-node command line', () => {
  it('prints help and the version', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('diva-node run --config FILE');
    const version = run('version');
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^diva-node \d+\.\d+\.\d+/);
  });

  it('exits with 2 and names the problem for a bad command line', () => {
    const unknown = run('launch');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('launch: unknown command');
    const noConfig = run('run');
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain('--config: required');
    expect(() => parseRunArguments(['--config'])).toThrow(/--config: expects a file path/);
    expect(() => parseRunArguments(['--config', 'a.json', '--verbose'])).toThrow(/--verbose: unknown flag/);
    expect(parseRunArguments(['--config=a.json'])).toEqual({ config: 'a.json' });
  });

  it('exits with 2 naming the file and field of a bad configuration, before starting anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'diva-cli-'));
    const file = join(dir, 'node.json');
    await writeFile(
      file,
      JSON.stringify({
        dataDir: 'd',
        beaconNodes: ['nope'],
        cluster: 'c',
        keys: { dir: 'k', passwordFile: 'p' },
        p2p: { listen: ['/ip4/127.0.0.1/tcp/1'] },
      }),
    );
    const r = run('run', '--config', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: beaconNodes[0]: expected an http(s) URL`);
  });
});
