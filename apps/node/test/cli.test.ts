// The diva-node command line, run as a real process: help, version, and clear errors with exit
// code 2 for a bad command line or configuration.
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExitBody } from '../src/exit.ts';
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

describe('diva-node exit', () => {
  it('prints its help, refuses a bad command line with 2 and an unreachable node with 1', () => {
    const help = run('exit', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('diva-node exit --node URL --validator INDEX --epoch EPOCH');
    const missing = run('exit', '--node', 'http://127.0.0.1:9', '--validator', '3');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--epoch: required');
    const bad = run('exit', '--node', 'ftp://x', '--validator', '3', '--epoch', '1');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--node: expected an http(s) URL');
    const negative = run('exit', '--node', 'http://127.0.0.1:9', '--validator', '-3', '--epoch', '1');
    expect(negative.status).toBe(2);
    const down = run('exit', '--node', 'http://127.0.0.1:9', '--validator', '3', '--epoch', '1');
    expect(down.status).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain('http://127.0.0.1:9: the exit was not signed: unreachable');
  });

  it('checks the body of POST /exit field by field', () => {
    expect(parseExitBody({ validatorIndex: 3, epoch: 7 })).toEqual({
      validatorIndex: 3,
      epoch: 7,
      publish: true,
    });
    expect(parseExitBody({ validatorIndex: 3, epoch: 7, publish: false })).toMatchObject({ publish: false });
    expect(parseExitBody([])).toEqual({ field: 'body', reason: 'expected a JSON object' });
    expect(parseExitBody({ validatorIndex: 3 })).toMatchObject({ field: 'epoch' });
    expect(parseExitBody({ validatorIndex: 1.5, epoch: 1 })).toMatchObject({ field: 'validatorIndex' });
    expect(parseExitBody({ validatorIndex: 1, epoch: 1, publish: 'no' })).toMatchObject({ field: 'publish' });
    expect(parseExitBody({ validatorIndex: 1, epoch: 1, extra: 1 })).toEqual({
      field: 'extra',
      reason: 'unknown field',
    });
  });
});
