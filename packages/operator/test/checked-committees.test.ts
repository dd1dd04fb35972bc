// Committees checked once are not checked again: the cluster file's public-share check (minutes at
// 10,000 validators) is skipped for a committee whose digest is known, in memory across reloads
// and through a file across restarts; a changed committee is checked in full.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bls, createBls, createSeededRandom, SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  committeeDigest,
  createCheckedCommittees,
  createClusterFileSource,
  createDevCluster,
  type DevCluster,
  isOperatorError,
  openCheckedCommitteesFile,
  parseClusterFile,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-checked-committees-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let dev: DevCluster;
let text: string;
beforeAll(async () => {
  const random = createSeededRandom('checked-committees-test');
  dev = await createDevCluster({
    secretKeys: [1, 2, 3].map(() => SecretKey.random(random).toBytes()),
    validatorIndices: [0, 1, 2],
    operators: 6,
    committeeSize: 4,
    threshold: 3,
    seed: 'checked-committees-test',
    dir: join(dir, 'dev'),
    password: 'pw',
    kdf: 'fast',
    basePort: 9300,
  });
  text = readFileSync(dev.clusterFile, 'utf8');
});

/** The real noble backend, counting the G1 points it parses (each check parses 1 + n points). */
function countingBls(): { bls: Bls; parsed: () => number } {
  const bls = createBls();
  let parsed = 0;
  const counted: Bls = {
    ...bls,
    publicKeyFromBytes: (bytes, options) => {
      parsed++;
      return bls.publicKeyFromBytes(bytes, options);
    },
  };
  return { bls: counted, parsed: () => parsed };
}

describe('checked committees', () => {
  it('checks each committee once, then skips it by digest', () => {
    const { bls, parsed } = countingBls();
    const checked = createCheckedCommittees();
    parseClusterFile(text, { bls, checked });
    expect(parsed()).toBe(3 * 5); // three committees: the group key and 4 shares each
    expect(checked.size).toBe(3);
    parseClusterFile(text, { bls, checked });
    expect(parsed()).toBe(15);
    expect(dev.cluster.validators.every((v) => checked.has(committeeDigest(v)))).toBe(true);
  });

  it('checks a changed committee in full and rejects it, whatever was checked before', () => {
    const { bls } = countingBls();
    const checked = createCheckedCommittees();
    parseClusterFile(text, { bls, checked });
    // two members' public shares swapped: valid points, no longer on one polynomial with their indices
    const raw = JSON.parse(text);
    const members = raw.validators[1].members;
    [members[0].publicShare, members[1].publicShare] = [members[1].publicShare, members[0].publicShare];
    let error: unknown;
    try {
      parseClusterFile(JSON.stringify(raw), { bls, checked, file: 'cluster.json' });
    } catch (e) {
      error = e;
    }
    expect(isOperatorError(error, 'INVALID_CLUSTER_FILE')).toBe(true);
    expect((error as Error).message).toContain('validators[1]');
    expect(checked.size).toBe(3);
  });

  it('keeps the digests in a file across restarts; a damaged file starts empty', async () => {
    const path = join(dir, 'checked.txt');
    const first = await openCheckedCommitteesFile(path);
    expect(first.size).toBe(0);
    parseClusterFile(text, { checked: first });
    await first.flush();
    const again = await openCheckedCommitteesFile(path);
    expect(again.size).toBe(3);
    const { bls, parsed } = countingBls();
    parseClusterFile(text, { bls, checked: again });
    expect(parsed()).toBe(0);

    await writeFile(path, 'not the header\nffff\n');
    expect((await openCheckedCommitteesFile(path)).size).toBe(0);
  });

  it('the cluster-file source writes the file at start and checks nothing at the next start', async () => {
    const path = join(dir, 'source-checked.txt');
    const self = dev.cluster.validators[0]!.members[0]!.operator;
    const first = countingBls();
    const source = createClusterFileSource({
      path: dev.clusterFile,
      self,
      bls: first.bls,
      checkedCommitteesFile: path,
    });
    await source.start();
    await source.stop();
    expect(first.parsed()).toBeGreaterThan(0);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(
      1 + dev.cluster.validators.filter((v) => v.members.some((m) => m.operator === self)).length,
    );
    const second = countingBls();
    const restarted = createClusterFileSource({
      path: dev.clusterFile,
      self,
      bls: second.bls,
      checkedCommitteesFile: path,
    });
    await restarted.start();
    await restarted.stop();
    expect(second.parsed()).toBe(0);
    expect(restarted.current().validators.length).toBeGreaterThan(0);
  });
});
