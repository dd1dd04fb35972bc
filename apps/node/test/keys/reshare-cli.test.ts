// `diva-node keys dkg --reshare` as real processes over real libp2p on loopback: a validator held
// 3 of 4 by op0..op3 moves to op0, op1, op2, op4 (op3 replaced). Old members read their shares from
// their key directories; every process writes the same cluster file; the new shares, loaded as a node
// loads them, sign and combine under the unchanged validator key; the leaving member gets no keystore.
// Then op3 is gone for good: the others reshare again without it, naming it; with op2 gone too the
// run ends with one stderr line naming both, exit status 1 and nothing written. Last, op2 loses its
// share keystore: run with --lost-shares it deals nothing, is left out as a dealer, and still ends
// with a new share that signs with the others under the unchanged validator key.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  combinePartialSignatures,
  createBls,
  PublicKey,
  SecretKey,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import {
  generateIdentity,
  loadKeyShares,
  type OperatorIdentity,
  parseClusterFile,
  writeShareKeystore,
} from '@diva-dvt/operator';
import { beforeAll, describe, expect, it } from 'vitest';
import { ceremonyArgs, ceremonyEntry, writeOperatorKeys } from '../helpers/ceremony.ts';
import { CLI, hex, runCli as run, scratchDir } from '../helpers/cli.ts';

const { at } = scratchDir('diva-reshare-cli-');
const bls = createBls();

const operators: OperatorIdentity[] = Array.from({ length: 5 }, () => generateIdentity());
const validatorKey = SecretKey.fromBytes(new Uint8Array(32).fill(7));
const split = splitSecretKey(validatorKey, { threshold: 3, shareCount: 4 });
const entries: { address: string; p2pPublicKey: string; multiaddrs: string[] }[] = [];

const reshareArgs = (ceremony: string, i: number, out: string, ...more: string[]) =>
  ceremonyArgs(at, ceremony, i, out, '--reshare', ...more);

function ceremonyFile(name: string): string {
  const file = at(name);
  writeFileSync(
    file,
    JSON.stringify({
      version: 1,
      type: 'reshare',
      previous: {
        version: 1,
        operators: entries.slice(0, 4),
        validators: [
          {
            groupPublicKey: hex(split.groupPublicKey.bytes),
            threshold: 3,
            members: entries.slice(0, 4).map((e, i) => ({
              operator: e.address,
              shareIndex: i + 1,
              publicShare: hex(split.publicShares[i]!.publicKey.bytes),
            })),
          },
        ],
      },
      operators: [entries[0], entries[1], entries[2], entries[4]],
      threshold: 3,
    }),
  );
  return file;
}

beforeAll(async () => {
  await writeOperatorKeys(at, operators);
  for (const [i, o] of operators.entries()) {
    if (i < 4) {
      await writeShareKeystore({
        dir: at(`op${i}`),
        groupPublicKey: split.groupPublicKey.bytes,
        share: split.shares[i]!,
        password: `operator ${i} password`,
        kdf: 'fast',
      });
    }
    entries.push(await ceremonyEntry(o));
  }
});

/** The new shares in `dirs` (index i → op of new share index i + 1), loaded as a node does, sign. */
async function expectNewSharesSign(dirs: readonly string[], ops: readonly number[]) {
  const cluster = parseClusterFile(readFileSync(join(dirs[0]!, 'cluster.json'), 'utf8'));
  const message = new TextEncoder().encode('an exit');
  const partials = [];
  for (const [k, dir] of dirs.entries()) {
    const shares = await loadKeyShares({
      dir,
      passwordFile: at(`op${ops[k]}-password.txt`),
      committees: cluster.validators,
      self: operators[ops[k]!]!.address,
    });
    const share = shares.get(hex(split.groupPublicKey.bytes) as `0x${string}`)!;
    expect(share.shareIndex).toBe(k + 1);
    partials.push(bls.signPartial(share.secretShare, message));
  }
  const signature = combinePartialSignatures(partials.slice(1), { threshold: 3 });
  expect(bls.verify(PublicKey.fromBytes(split.groupPublicKey.bytes), message, signature)).toBe(true);
}

describe('diva-node keys dkg --reshare', () => {
  it('op3 replaced by op4: one cluster file, working new shares, nothing for the leaver', async () => {
    const ceremony = ceremonyFile('reshare.json');
    const runs = await Promise.all([0, 1, 2, 3, 4].map((i) => run(reshareArgs(ceremony, i, at(`out${i}`)))));
    for (const r of runs) expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(runs[4]!.stdout).toContain('[dkg] confirm 4/4');
    expect(runs[4]!.stdout).toMatch(/done in [0-9.]+ s; new share index 4/);
    expect(runs[3]!.stdout).toContain('this operator leaves the committee (no new share)');
    const clusters = [0, 1, 2, 3, 4].map((i) => readFileSync(at(`out${i}`, 'cluster.json'), 'utf8'));
    expect(new Set(clusters).size).toBe(1);
    expect(parseClusterFile(clusters[0]!).operators.map((o) => o.address)).toEqual(
      [0, 1, 2, 4].map((i) => operators[i]!.address),
    );
    expect(readdirSync(at('out3'))).toEqual(['cluster.json']);
    expect(readdirSync(at('out4')).filter((f) => f.startsWith('deposit_data'))).toEqual([]);
    await expectNewSharesSign(
      [0, 1, 2, 4].map((i) => at(`out${i}`)),
      [0, 1, 2, 4],
    );
  }, 120_000);

  it('op3 gone: left out and named; with op2 gone too, one line naming both and nothing written', async () => {
    const ceremony = ceremonyFile('reshare-again.json');
    const failed = await Promise.all(
      [0, 1, 4].map((i) => run(reshareArgs(ceremony, i, at(`fail${i}`), '--connect-timeout', '3'))),
    );
    for (const [k, r] of failed.entries()) {
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('diva-node keys dkg: [DKG_CEREMONY_FAILED]');
      expect(lines[0]).toContain(operators[2]!.address);
      expect(lines[0]).toContain(operators[3]!.address);
      expect(lines[0]).not.toContain(`operator ${[0, 1, 4][k]} password`);
      expect(existsSync(at(`fail${[0, 1, 4][k]}`))).toBe(false);
    }
    const runs = await Promise.all(
      [0, 1, 2, 4].map((i) => run(reshareArgs(ceremony, i, at(`fail${i}`), '--phase-timeout', '2'))),
    );
    for (const r of runs) {
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`old members left out (absent or disqualified): ${operators[3]!.address}`);
    }
    await expectNewSharesSign(
      [0, 1, 2, 4].map((i) => at(`fail${i}`)),
      [0, 1, 2, 4],
    );
    const help = spawnSync(process.execPath, [CLI, 'keys', 'dkg', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(help.stdout).toContain('--reshare');
    expect(help.stdout).toContain('--keys-dir DIR');
  }, 120_000);

  it('op2 lost its share: it deals nothing and still ends with a working new share', async () => {
    for (const f of readdirSync(at('op2'))) if (f.startsWith('keystore-')) rmSync(at('op2', f));
    const ceremony = ceremonyFile('reshare-lost.json');
    const runs = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        run(
          reshareArgs(
            ceremony,
            i,
            at(`lost${i}`),
            // op2's hello says it deals nothing, so no stage waits for a deadline: this one only
            // bounds how far behind the others a starved process may finish
            '--phase-timeout',
            '30',
            ...(i === 2 ? ['--lost-shares'] : []),
          ),
        ),
      ),
    );
    for (const r of runs) expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(runs[2]!.stdout).toContain('old member without its shares');
    expect(runs[2]!.stdout).toMatch(/done in [0-9.]+ s; new share index 3/);
    for (const i of [0, 1, 2, 4]) {
      expect(runs[i]!.stdout).toContain(
        `old members left out (absent or disqualified): ${operators[2]!.address}`,
      );
    }
    const clusters = [0, 1, 2, 3, 4].map((i) => readFileSync(at(`lost${i}`, 'cluster.json'), 'utf8'));
    expect(new Set(clusters).size).toBe(1);
    // Signs with op2's new share among the three (partials of new shares 2, 3 and 4).
    await expectNewSharesSign(
      [0, 1, 2, 4].map((i) => at(`lost${i}`)),
      [0, 1, 2, 4],
    );
    const both = spawnSync(
      process.execPath,
      [CLI, ...reshareArgs(ceremony, 2, at('lost-both'), '--lost-shares', '--keys-dir', at('op2'))],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('--lost-shares');
  }, 120_000);
});
