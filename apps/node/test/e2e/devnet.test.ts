// `diva-node devnet --direct` as a user runs it (sources with --conditions=diva:source): a small
// network (5 operators, committees of 4, 2 validators, 4 s slots) comes up phase by phase without
// the Diva contracts (DKG ceremonies as processes, deposits straight through a bare deposit contract
// on Anvil, genesis from its logs, Lodestar, operators), attestations of the DKG-born validators are
// included, the combined dashboard answers, and Ctrl-C stops every process it started and prints
// the summary. The default, contracts-driven devnet: ./devnet-contracts.test.ts.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPortFree } from '@diva-dvt/devnet';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { runDevnet, stopDevnets } from '../helpers/devnet.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(stopDevnets, 90_000);

describe('diva-node devnet --direct', () => {
  it('brings a network up, shows it validating, and stops everything on Ctrl-C', {
    timeout: 12 * 60_000,
  }, async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'diva-devnet-cmd-')), 'net');
    const run = runDevnet([
      '--direct',
      '--operators',
      '5',
      '--committee-size',
      '4',
      '--validators',
      '2',
      '--slot-seconds',
      '4',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ]);
    await run.attesting;

    // every phase reported, with counts
    for (const phase of [
      'operators: creating 5 operator identities',
      'dkg: 2/2 validators created',
      'deposits: 18/18',
      'genesis: 18 validators',
      'lodestar: REST http://127.0.0.1:',
      'operators: 5/5 running',
    ]) {
      expect(run.stderr()).toContain(phase);
    }
    // the combined dashboard serves the five operators' reports
    const dashboard = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\/dashboard/.exec(run.stderr())![1]!;
    const model = (await (await fetch(`${dashboard}/dashboard/data.json`)).json()) as {
      nodes: unknown[];
      validators: { validatorIndex?: number }[];
    };
    expect(model.nodes).toHaveLength(5);
    expect(model.validators.map((v) => v.validatorIndex).sort()).toEqual([16, 17]);

    // the processes it started, before Ctrl-C
    const configs = await Promise.all(
      [0, 1, 2, 3, 4].map(async (i) =>
        JSON.parse(await readFile(join(dataDir, `operator-${i}`, 'config.json'), 'utf8')),
      ),
    );
    const lodestarPort = Number(new URL(configs[0].beaconNodes[0]).port);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const summary = JSON.parse(run.stdout().trim().split('\n').at(-1)!) as {
      attestations: { included: number; notIncluded: number };
      operatorsReporting: number;
      secondsToFirstIncludedAttestation: number;
    };
    expect(summary.attestations.included).toBeGreaterThan(0);
    expect(summary.operatorsReporting).toBe(5);
    expect(summary.secondsToFirstIncludedAttestation).toBeGreaterThan(0);
    // nothing is left running: the operators' ports, Lodestar's REST port and the dashboard are free
    for (const c of configs) expect(await isPortFree('127.0.0.1', c.http.port)).toBe(true);
    expect(await isPortFree('127.0.0.1', lodestarPort)).toBe(true);
    const dashboardPort = Number(new URL(dashboard).port);
    expect(await isPortFree('127.0.0.1', dashboardPort)).toBe(true);
    expect(alive(run.child.pid!)).toBe(false);
  });

  it('refuses a bad flag with exit status 2 naming it, and explains itself with --help', async () => {
    const run = async (args: string[]) => {
      const r = await runCli(['devnet', ...args]);
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const bad = await run(['--committee-size', '9', '--operators', '5']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--committee-size');
    // the contracts fix the threshold; --direct frees it
    const threshold = await run(['--committee-size', '4', '--operators', '5', '--threshold', '2']);
    expect(threshold.code).toBe(2);
    expect(threshold.out).toContain("--threshold: the contracts' threshold is 2n/3 + 1 = 3");
    const unknown = await run(['--validator', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('--validator: unknown flag');
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--epochs N');
  });
});
