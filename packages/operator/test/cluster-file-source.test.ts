// The cluster-file CommitteeSource: what one operator sees, and live reloads of a real file
// (fs.watch on a tmp dir): a good change reaches the listeners, a bad one keeps the old snapshot
// and is logged with the field at fault.
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeededRandom, SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CommitteeSnapshot,
  createClusterFileSource,
  createDevCluster,
  type DevCluster,
  isOperatorError,
  type LogFields,
  type Logger,
  writeClusterFile,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-cluster-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let dev: DevCluster;
beforeAll(async () => {
  const random = createSeededRandom('cluster-source-test');
  dev = await createDevCluster({
    secretKeys: [1, 2, 3, 4].map(() => SecretKey.random(random).toBytes()),
    operators: 6,
    committeeSize: 4,
    threshold: 3,
    seed: 'cluster-source-test',
    dir: join(dir, 'dev'),
    password: 'pw',
    kdf: 'fast',
    basePort: 9200,
  });
});

interface Entry {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields | undefined;
}
function recordingLogger(): Logger & { entries: Entry[]; next(level: string): Promise<Entry> } {
  const entries: Entry[] = [];
  const waiting: { level: string; resolve: (e: Entry) => void }[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => {
    const entry = { level, message, fields };
    entries.push(entry);
    const i = waiting.findIndex((w) => w.level === level);
    if (i >= 0) waiting.splice(i, 1)[0]!.resolve(entry);
  };
  return {
    entries,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    next: (level) => new Promise((resolve) => waiting.push({ level, resolve })),
  };
}

// Replaces a file in one step, as an editor's save does, so the watcher never reads half of it.
async function replaceFile(path: string, text: string): Promise<void> {
  await writeFile(`${path}.new`, text);
  await rename(`${path}.new`, path);
}

const nextSnapshot = (source: { onChange(l: (s: CommitteeSnapshot) => void): void }) => {
  let resolve!: (s: CommitteeSnapshot) => void;
  const promise = new Promise<CommitteeSnapshot>((r) => {
    resolve = r;
  });
  let done = false;
  source.onChange((s) => {
    if (!done) {
      done = true;
      resolve(s);
    }
  });
  return promise;
};

describe('cluster-file committee source', () => {
  it('serves the validators whose committee includes this operator, and their other members as peers', async () => {
    for (const operator of dev.operators) {
      const source = createClusterFileSource({ path: dev.clusterFile, self: operator.address });
      await source.start();
      const snapshot = source.current();
      const mine = dev.validators.filter((v) => v.operatorIndices.includes(operator.index));
      expect(snapshot.version).toBe(1);
      expect(snapshot.validators).toEqual(mine.map((v) => v.committee));
      const peerIndices = new Set(mine.flatMap((v) => v.operatorIndices).filter((i) => i !== operator.index));
      expect(new Set(snapshot.peers.map((p) => p.address))).toEqual(
        new Set([...peerIndices].map((i) => dev.operators[i]!.address)),
      );
      for (const peer of snapshot.peers) {
        const o = dev.operators.find((x) => x.address === peer.address)!;
        expect(peer.publicKey).toEqual(o.identity.publicKey);
        expect(peer.multiaddrs).toEqual([o.multiaddr]);
      }
      await source.stop();
    }
  });

  it('accepts a self address in any case; an operator in no committee gets an empty snapshot', async () => {
    const first = dev.operators[0]!;
    const upper = `0x${first.address.slice(2).toUpperCase()}` as const;
    const source = createClusterFileSource({ path: dev.clusterFile, self: upper });
    await source.start();
    expect(source.current().validators.length).toBeGreaterThan(0);
    const stranger = createClusterFileSource({ path: dev.clusterFile, self: `0x${'ab'.repeat(20)}` });
    const logger = recordingLogger();
    const warned = createClusterFileSource({ path: dev.clusterFile, self: `0x${'ab'.repeat(20)}`, logger });
    await stranger.start();
    await warned.start();
    expect(stranger.current()).toEqual({ version: 1, validators: [], peers: [] });
    expect(logger.entries.some((e) => e.level === 'warn' && /not listed/.test(e.message))).toBe(true);
  });

  it('is NOT_STARTED before start, and start() throws on a bad file', async () => {
    const source = createClusterFileSource({ path: dev.clusterFile, self: dev.operators[0]!.address });
    expect(() => source.current()).toThrow(expect.objectContaining({ code: 'NOT_STARTED' }));
    const bad = join(dir, 'bad-start.json');
    await writeFile(bad, '{"version": 1, "operators": [], "validators": [{}]}');
    const failing = createClusterFileSource({ path: bad, self: dev.operators[0]!.address });
    await expect(failing.start()).rejects.toSatisfy(
      (e) => isOperatorError(e, 'INVALID_CLUSTER_FILE') && e.details.field === 'validators[0].groupPublicKey',
    );
  });

  it('reload() without a change keeps the version and does not call listeners', async () => {
    const source = createClusterFileSource({ path: dev.clusterFile, self: dev.operators[0]!.address });
    await source.start();
    let calls = 0;
    source.onChange(() => calls++);
    await source.reload();
    expect(source.current().version).toBe(1);
    expect(calls).toBe(0);
  });

  it('hands out no new snapshot when only committees without this operator changed', async () => {
    const path = join(dir, 'unrelated-change.json');
    const outsider = dev.operators.find((o) => !dev.validators[3]!.operatorIndices.includes(o.index))!;
    await writeClusterFile(path, { ...dev.cluster, validators: dev.cluster.validators.slice(0, 3) });
    const source = createClusterFileSource({ path, self: outsider.address });
    await source.start();
    const before = source.current();
    expect(before.validators.length).toBeGreaterThan(0);
    let calls = 0;
    source.onChange(() => calls++);
    await writeClusterFile(path, dev.cluster); // adds validator 3, whose committee lacks `outsider`
    await source.reload();
    expect(source.current()).toBe(before);
    expect(calls).toBe(0);
    // A change to this operator's own committees does come through.
    await writeClusterFile(path, { ...dev.cluster, validators: [] });
    await source.reload();
    expect(source.current().version).toBe(2);
    expect(source.current().validators).toEqual([]);
    expect(calls).toBe(1);
  });

  it('with watch, re-reads a changed file and hands listeners the new snapshot', async () => {
    const path = join(dir, 'watched.json');
    const less = { ...dev.cluster, validators: dev.cluster.validators.slice(0, 2) };
    await writeClusterFile(path, less);
    // An operator in the third validator's committee, to see it appear.
    const third = dev.validators[2]!;
    const self = dev.operators[third.operatorIndices[0]!]!;
    const source = createClusterFileSource({ path, self: self.address, watch: true, debounceMs: 20 });
    await source.start();
    const before = source.current();
    expect(before.validators.some((c) => c.groupPublicKey === third.committee.groupPublicKey)).toBe(false);
    const changed = nextSnapshot(source);
    await writeClusterFile(path, dev.cluster);
    const after = await changed;
    expect(after.version).toBe(before.version + 1);
    expect(after.validators).toContainEqual(third.committee);
    expect(source.current()).toBe(after);
    await source.stop();
  });

  it('with watch, keeps the old snapshot on a bad file, logs the field, and takes the next good file', async () => {
    const path = join(dir, 'watched-bad.json');
    await writeClusterFile(path, dev.cluster);
    const logger = recordingLogger();
    const self = dev.operators[dev.validators[0]!.operatorIndices[0]!]!;
    const source = createClusterFileSource({ path, self: self.address, watch: true, debounceMs: 20, logger });
    await source.start();
    const before = source.current();
    let changes = 0;
    source.onChange(() => changes++);

    const rejected = logger.next('error');
    const raw = JSON.parse(await readFile(path, 'utf8'));
    raw.validators[0].members[1].publicShare = '0x00';
    await replaceFile(path, JSON.stringify(raw));
    const entry = await rejected;
    expect(entry.fields).toMatchObject({ file: path, field: 'validators[0].members[1].publicShare' });
    expect(source.current()).toBe(before);

    // The same bad bytes again are not parsed or logged again.
    const errorsSoFar = logger.entries.filter((e) => e.level === 'error').length;
    await source.reload();
    expect(logger.entries.filter((e) => e.level === 'error').length).toBe(errorsSoFar);

    // A truncated write (a half-saved file) is rejected the same way.
    const truncated = logger.next('error');
    await replaceFile(path, '{"version": 1, "operators": [');
    expect((await truncated).fields).toMatchObject({ field: '(root)' });
    expect(source.current()).toBe(before);
    expect(changes).toBe(0);

    const recovered = nextSnapshot(source);
    await writeClusterFile(path, { ...dev.cluster, validators: dev.cluster.validators.slice(0, 1) });
    const next = await recovered;
    expect(next.validators).toEqual([dev.validators[0]!.committee]);
    await source.stop();
  });
});
