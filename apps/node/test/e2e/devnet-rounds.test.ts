// Rounds of random faults on the contracts-driven devnet (`--fault rounds:60@2`): from epoch 2 each of
// the 5 operators is up in an epoch with probability 60%, and one not up is crashed (SIGKILL, then
// restarted), partitioned from its p2p peers for the epoch, or given a slow beacon node (every request
// held 40% of a slot), drawn alike with a fixed seed. Afterwards:
// - no slashable pair in any operator's EIP-3076 slashing-protection export (read by an independent
//   checker, not the database's own rules), though crashes cut signing mid-duty and partitioned
//   members kept signing alone;
// - no divETH created or lost: the books balance to the wei (pooled ETH against stake, report changes
//   and payouts; each holder's shares against its transfers);
// - the validators live whenever their committee was whole enough: in every epoch where at most
//   n - t = 1 of the first validator's committee was down (crashed or partitioned) in that epoch and
//   the one before, its attestation earned.
// About 8 minutes on 2 cores, so not in CI's default run: `DIVA_LONG_E2E=1 pnpm --filter
// @diva-dvt/node exec vitest run test/e2e/devnet-rounds.test.ts` (apps/node README, "Faults").
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDevnet, stopDevnets } from '../helpers/devnet.ts';

afterEach(stopDevnets, 90_000);

const long = process.env.DIVA_LONG_E2E === '1';

interface Summary {
  firstValidator: { index: number; committee: number[]; balancesGwei: { epoch: number; gwei: number }[] };
  faults: {
    epoch: number;
    action: string;
    operators: number[];
    crashed: number[];
    partitioned: number[];
    slow: number[];
  }[];
  slashingProtection: {
    operator: number;
    attestations: number;
    nothingSigned?: true;
    slashable: unknown[];
  }[];
  books: { balanced: boolean; lines: { name: string; balanced: boolean }[] };
  uptime: { nodeUptime?: number; validatorUptime?: number };
}

describe.skipIf(!long)('diva-node devnet --fault rounds (long: DIVA_LONG_E2E=1)', () => {
  it('crashes, partitions and slow beacon nodes: no slashable pair, books balanced, live while quorate', {
    timeout: 15 * 60_000,
  }, async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'diva-devnet-rounds-')), 'net');
    const run = runDevnet([
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
      '--epochs',
      '9',
      '--fault',
      'rounds:60@2',
    ]);
    await run.attesting;
    expect(await run.exited).toBe(0);
    const summary = JSON.parse(run.stdout().trim().split('\n').at(-1)!) as Summary;

    // every kind of fault happened (the seed is fixed)
    const all = (k: 'crashed' | 'partitioned' | 'slow') => summary.faults.flatMap((f) => f[k]);
    expect(all('crashed').length).toBeGreaterThan(0);
    expect(all('partitioned').length).toBeGreaterThan(0);
    expect(all('slow').length).toBeGreaterThan(0);

    // no slashable pair anywhere; the operators signed
    expect(summary.slashingProtection).toHaveLength(5);
    for (const e of summary.slashingProtection) expect(e.slashable).toEqual([]);
    expect(summary.slashingProtection.filter((e) => e.attestations > 0).length).toBeGreaterThanOrEqual(4);
    expect(run.stderr()).toContain('slashing protection: 5 exports checked: 0 slashable pairs');

    // no divETH created or lost
    expect(summary.books.lines.filter((l) => !l.balanced)).toEqual([]);
    expect(summary.books.balanced).toBe(true);

    // live while quorate: the balance read at epoch e + 2 against e + 1 shows epoch e's attestation
    const { committee, balancesGwei } = summary.firstValidator;
    const downIn = (epoch: number) => {
      const f = summary.faults.find((r) => r.epoch === epoch);
      return [...(f?.operators ?? []), ...(f?.slow ?? [])].filter((i) => committee.includes(i)).length;
    };
    const balance = (epoch: number) => balancesGwei.find((b) => b.epoch === epoch)?.gwei;
    const quorate = summary.faults
      .map((f) => f.epoch)
      .filter((e) => downIn(e) <= 1 && downIn(e - 1) <= 1)
      .filter((e) => balance(e + 1) !== undefined && balance(e + 2) !== undefined);
    expect(quorate.length).toBeGreaterThan(0);
    const earned = quorate.filter((e) => balance(e + 2)! > balance(e + 1)!);
    expect(earned).toEqual(quorate);
  });
});
