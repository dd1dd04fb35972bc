// The dev cluster (trusted dealer, dev only): every operator directory holds a usable identity and
// its shares, the committees differ, t shares read back from disk recover each validator key, and
// the same seed gives the same cluster.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeededRandom, recoverSecretKey, SecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClusterFileSource,
  createDevCluster,
  isOperatorError,
  loadIdentity,
  loadKeyShares,
  readClusterFile,
  readPasswordFile,
} from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'diva-dev-cluster-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const random = createSeededRandom('dev-cluster-test');
const validatorKeys = Array.from({ length: 4 }, () => SecretKey.random(random));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('createDevCluster', () => {
  it('gives 20 operators identities and shares of 4 validators with differing committees of 16 (t = 11)', async () => {
    const dir = join(root, 'twenty');
    const dev = await createDevCluster({
      secretKeys: validatorKeys.map((k) => k.toBytes()),
      validatorIndices: [0, 1, 2, 3],
      operators: 20,
      committeeSize: 16,
      threshold: 11,
      seed: 'devnet',
      dir,
      password: 'devnet password',
      kdf: 'fast',
      basePort: 9400,
    });
    expect(dev.clusterFile).toBe(join(dir, 'cluster.json'));
    expect(await readClusterFile(dev.clusterFile)).toEqual(dev.cluster);
    expect(dev.operators.map((o) => o.multiaddr)).toEqual(
      Array.from({ length: 20 }, (_, i) => `/ip4/127.0.0.1/tcp/${9400 + i}`),
    );
    const sets = dev.validators.map((v) => [...v.operatorIndices].sort((a, b) => a - b).join(','));
    expect(new Set(sets).size).toBe(4);
    for (const [i, v] of dev.validators.entries()) {
      expect(v.committee.groupPublicKey).toEqual(validatorKeys[i]!.toPublicKey().bytes);
      expect(v.committee.validatorIndex).toBe(i);
      expect(v.committee.members.map((m) => m.shareIndex)).toEqual(
        Array.from({ length: 16 }, (_, k) => k + 1),
      );
      expect(new Set(v.operatorIndices).size).toBe(16);
    }

    // Every operator directory: identity, password file (0600), its shares, and the source agrees.
    const loaded = new Map<string, { shareIndex: number; secretKey: SecretKey }[]>();
    for (const operator of dev.operators) {
      expect(operator.dir).toBe(join(dir, `operator-${operator.index}`));
      expect(statSync(operator.passwordFile).mode & 0o777).toBe(0o600);
      expect(await readPasswordFile(operator.passwordFile)).toBe('devnet password');
      const identity = await loadIdentity({ dir: operator.dir, passwordFile: operator.passwordFile });
      expect(identity.address).toBe(operator.address);
      const source = createClusterFileSource({ path: dev.clusterFile, self: operator.address });
      await source.start();
      const { validators } = source.current();
      expect(validators.length).toBe(
        dev.validators.filter((v) => v.operatorIndices.includes(operator.index)).length,
      );
      const shares = await loadKeyShares({
        dir: operator.dir,
        passwordFile: operator.passwordFile,
        committees: validators,
        self: operator.address,
      });
      expect(shares.size).toBe(validators.length);
      for (const [group, share] of shares) {
        const list = loaded.get(group) ?? [];
        list.push(share.secretShare);
        loaded.set(group, list);
      }
    }
    // t shares read back from the operators' disks recover each validator's key.
    for (const key of validatorKeys) {
      const shares = loaded.get(`0x${hex(key.toPublicKey().bytes)}`)!;
      expect(shares.length).toBe(16);
      expect(recoverSecretKey(shares.slice(5), 11).toBytes()).toEqual(key.toBytes());
    }
  });

  it('is reproducible from the seed, and another seed gives other identities and committees', async () => {
    const make = (name: string, seed: string) =>
      createDevCluster({
        secretKeys: validatorKeys.slice(0, 2).map((k) => k.toBytes()),
        operators: 5,
        committeeSize: 4,
        threshold: 3,
        seed,
        dir: join(root, name),
        password: 'pw',
        kdf: 'fast',
        basePort: 9500,
      });
    const a = await make('a', 'one');
    const b = await make('b', 'one');
    const c = await make('c', 'two');
    expect(readFileSync(b.clusterFile, 'utf8')).toBe(readFileSync(a.clusterFile, 'utf8'));
    expect(c.operators.map((o) => o.address)).not.toEqual(a.operators.map((o) => o.address));
    // Only 5 ways to pick 4 of 5: the two committees still differ.
    expect(new Set(a.validators.map((v) => [...v.operatorIndices].sort().join())).size).toBe(2);
    // An operator that holds no share still gets an identity and a password file.
    for (const o of a.operators) {
      expect(existsSync(join(o.dir, 'identity.json'))).toBe(true);
      expect(existsSync(o.passwordFile)).toBe(true);
    }
  });

  it('rejects impossible shapes with the option named', async () => {
    const base = {
      secretKeys: [validatorKeys[0]!.toBytes()],
      operators: 4,
      committeeSize: 4,
      threshold: 3,
      seed: 'x',
      dir: join(root, 'bad'),
      password: 'pw',
      kdf: 'fast' as const,
      basePort: 9600,
    };
    for (const [change, option] of [
      [{ committeeSize: 5 }, 'committeeSize'],
      [{ threshold: 5 }, 'threshold'],
      [{ threshold: 0 }, 'threshold'],
      [{ operators: 0 }, 'operators'],
      [{ basePort: 65534 }, 'basePort'],
      [{ secretKeys: [new Uint8Array(32)] }, 'secretKeys[0]'],
      [{ validatorIndices: [1, 2] }, 'validatorIndices'],
    ] as const) {
      await expect(createDevCluster({ ...base, ...change })).rejects.toSatisfy(
        (e) => isOperatorError(e, 'INVALID_OPTION') && e.details.option === option,
      );
    }
  });
});
