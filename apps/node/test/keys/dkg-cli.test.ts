// `diva-node keys dkg` as real processes over real libp2p on loopback: three operators create one
// validator (2 of 3) and write the same cluster file and deposit data; a ceremony with an operator
// that never starts ends, for the others, with one stderr line naming it, exit status 1 and no
// output directory, and running it again with everyone succeeds; a ceremony file naming an operator twice is refused naming the file and field.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateIdentity, type OperatorIdentity, parseClusterFile } from '@diva-dvt/operator';
import { beforeAll, describe, expect, it } from 'vitest';
import { ceremonyArgs, ceremonyEntry, writeOperatorKeys } from '../helpers/ceremony.ts';
import { CLI, runCli as run, scratchDir } from '../helpers/cli.ts';

const { root, at } = scratchDir('diva-dkg-cli-');

const operators: OperatorIdentity[] = Array.from({ length: 4 }, () => generateIdentity());

async function ceremonyFile(
  name: string,
  members: readonly OperatorIdentity[],
  threshold: number,
): Promise<string> {
  const entries = [];
  for (const o of members) entries.push(await ceremonyEntry(o));
  const file = at(name);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      operators: entries,
      threshold,
      validators: 1,
      withdrawalCredentials: `0x01${'00'.repeat(11)}${'cd'.repeat(20)}`,
      forkVersion: '0x10000910',
    }),
  );
  return file;
}

const dkgArgs = (ceremony: string, i: number, out: string, ...more: string[]) =>
  ceremonyArgs(at, ceremony, i, out, ...more);

beforeAll(() => writeOperatorKeys(at, operators));

describe('diva-node keys dkg', () => {
  it('three operators create a validator: same cluster file and deposit data', async () => {
    const ceremony = await ceremonyFile('ceremony.json', operators.slice(0, 3), 2);
    const runs = await Promise.all([0, 1, 2].map((i) => run(dkgArgs(ceremony, i, at(`out${i}`)))));
    for (const r of runs) expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(runs[0]!.stdout).toContain('[dkg] connect 3/3');
    expect(runs[0]!.stdout).toMatch(/done in [0-9.]+ s; share index 1/);
    const clusters = [0, 1, 2].map((i) => readFileSync(at(`out${i}`, 'cluster.json'), 'utf8'));
    expect(clusters[1]).toBe(clusters[0]);
    expect(clusters[2]).toBe(clusters[0]);
    const [validator] = parseClusterFile(clusters[0]!).validators;
    const deposits = [0, 1, 2].map((i) => {
      const name = readdirSync(at(`out${i}`)).find((f) => f.startsWith('deposit_data-'))!;
      return readFileSync(at(`out${i}`, name), 'utf8');
    });
    expect(deposits[1]).toBe(deposits[0]);
    expect(JSON.parse(deposits[0]!)[0].pubkey).toBe(Buffer.from(validator!.groupPublicKey).toString('hex'));
    for (const i of [0, 1, 2]) {
      const files = readdirSync(at(`out${i}`))
        .filter((f) => f.startsWith('keystore-'))
        .sort();
      expect(files).toEqual([
        `keystore-${Buffer.from(validator!.groupPublicKey).toString('hex')}-${i + 1}.json`,
      ]);
    }
  }, 120_000);

  it('an operator that never starts is named; the others write nothing; the retry succeeds', async () => {
    const ceremony = await ceremonyFile('ceremony-missing.json', operators.slice(0, 3), 2);
    const runs = await Promise.all(
      [0, 1].map((i) => run(dkgArgs(ceremony, i, at(`missing${i}`), '--connect-timeout', '3'))),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('diva-node keys dkg:');
      expect(lines[0]).toContain(operators[2]!.address);
      expect(lines[0]).not.toContain(`operator ${i} password`);
      expect(existsSync(at(`missing${i}`))).toBe(false);
    }
    expect(readdirSync(root).filter((f) => f.includes('.dkg-'))).toEqual([]);
    // The retry, with everyone, into the same directories.
    const retry = await Promise.all([0, 1, 2].map((i) => run(dkgArgs(ceremony, i, at(`missing${i}`)))));
    for (const r of retry) expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const clusters = [0, 1, 2].map((i) => readFileSync(at(`missing${i}`, 'cluster.json'), 'utf8'));
    expect(new Set(clusters).size).toBe(1);
  }, 90_000);

  it('a ceremony file naming an operator twice: exit 1, the file and the field; --help; a missing flag', async () => {
    const file = await ceremonyFile('ceremony-twice.json', [operators[0]!, operators[1]!, operators[0]!], 2);
    const r = spawnSync(process.execPath, [CLI, ...dkgArgs(file, 0, at('twice'))], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('operators[2].address');
    const help = spawnSync(process.execPath, [CLI, 'keys', 'dkg', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--ceremony FILE');
    const missing = spawnSync(process.execPath, [CLI, 'keys', 'dkg', '--ceremony', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--identity-keystore');
  }, 60_000);
});
