// The cluster file: format round trip, atomic writes, and one test per validation rule, each
// asserting the exact field path the error names.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSeededRandom, SecretKey, splitSecretKey } from '@diva-dvt/bls-threshold';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClusterFile,
  createDevCluster,
  type DevCluster,
  formatClusterFile,
  generateIdentity,
  isOperatorError,
  parseClusterFile,
  readClusterFile,
  writeClusterFile,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'diva-cluster-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const random = createSeededRandom('cluster-file-test');
let dev: DevCluster;
let text: string;
beforeAll(async () => {
  dev = await createDevCluster({
    secretKeys: [1, 2, 3].map(() => SecretKey.random(random).toBytes()),
    validatorIndices: [0, 1, 2],
    operators: 6,
    committeeSize: 4,
    threshold: 3,
    seed: 'cluster-file-test',
    dir: join(dir, 'dev'),
    password: 'pw',
    kdf: 'fast',
    basePort: 9100,
  });
  text = readFileSync(dev.clusterFile, 'utf8');
});

// biome-ignore lint/suspicious/noExplicitAny: tests edit the raw JSON freely.
type Raw = any;
const edited = (edit: (raw: Raw) => void): string => {
  const raw = JSON.parse(text);
  edit(raw);
  return JSON.stringify(raw);
};

function expectInvalid(json: string, field: string, reason: string | RegExp): void {
  try {
    parseClusterFile(json, { file: 'cluster.json' });
  } catch (error) {
    if (!isOperatorError(error, 'INVALID_CLUSTER_FILE')) throw error;
    expect(error.details.file).toBe('cluster.json');
    expect(error.details.field).toBe(field);
    expect(error.details.reason).toMatch(reason);
    expect(error.message).toContain(`cluster.json at ${field}`);
    return;
  }
  expect.unreachable(`accepted a file with a bad ${field}`);
}

describe('cluster file', () => {
  it('round-trips: format then parse gives the same operators and committees', () => {
    const parsed = parseClusterFile(text, { file: dev.clusterFile });
    expect(parsed).toEqual(dev.cluster);
    expect(formatClusterFile(parsed)).toBe(text);
    expect(parsed.validators.map((v) => v.validatorIndex)).toEqual([0, 1, 2]);
  });

  it('orders members by share index whatever their order in the file, and lower-cases addresses', () => {
    const json = edited((raw) => {
      raw.validators[0].members.reverse();
      raw.operators[0].address = `0x${raw.operators[0].address.slice(2).toUpperCase()}`;
      raw.validators[0].members[0].operator = raw.validators[0].members[0].operator
        .toUpperCase()
        .replace('0X', '0x');
    });
    const parsed = parseClusterFile(json);
    expect(parsed.validators[0]!.members.map((m) => m.shareIndex)).toEqual([1, 2, 3, 4]);
    expect(parsed).toEqual(dev.cluster);
  });

  it('accepts a validator without validatorIndex and a committee of one with threshold 1', () => {
    const sk = SecretKey.random(random);
    const json = edited((raw) => {
      delete raw.validators[1].validatorIndex;
      raw.validators.push({
        groupPublicKey: sk.toPublicKey().toHex(),
        threshold: 1,
        members: [
          { operator: raw.operators[5].address, shareIndex: 1, publicShare: sk.toPublicKey().toHex() },
        ],
      });
    });
    const parsed = parseClusterFile(json);
    expect(parsed.validators[1]!.validatorIndex).toBeUndefined();
    expect('validatorIndex' in parsed.validators[1]!).toBe(false);
    expect(parsed.validators[3]!.threshold).toBe(1);
  });

  it('names the field of every structural fault', () => {
    expectInvalid('{"version": 1,', '(root)', /not valid JSON/);
    expectInvalid('[]', '', /expected an object/);
    expectInvalid(
      edited((r) => (r.version = 2)),
      'version',
      /expected 1/,
    );
    expectInvalid(
      edited((r) => delete r.operators),
      'operators',
      /missing/,
    );
    expectInvalid(
      edited((r) => (r.extra = true)),
      'extra',
      /unknown field/,
    );
    expectInvalid(
      edited((r) => (r.validators[2].members[1].publicShare = '0x1234')),
      'validators[2].members[1].publicShare',
      /expected 48 bytes hex/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].groupPublicKey = r.validators[0].groupPublicKey.slice(2))),
      'validators[0].groupPublicKey',
      /expected 48 bytes hex/,
    );
    expectInvalid(
      edited((r) => (r.validators[1].members[0].shareIndex = 0)),
      'validators[1].members[0].shareIndex',
      /integer in 1\.\.4/,
    );
    expectInvalid(
      edited((r) => (r.validators[1].members[3].shareIndex = 5)),
      'validators[1].members[3].shareIndex',
      /integer in 1\.\.4/,
    );
    expectInvalid(
      edited((r) => (r.validators[1].members[3].shareIndex = 1)),
      'validators[1].members[3].shareIndex',
      /already used by validators\[1\]\.members\[0\]/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].threshold = 0)),
      'validators[0].threshold',
      /integer in 1\.\.4/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].threshold = 5)),
      'validators[0].threshold',
      /integer in 1\.\.4/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].threshold = 2.5)),
      'validators[0].threshold',
      /integer/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].members = [])),
      'validators[0].members',
      /at least one member/,
    );
    expectInvalid(
      edited((r) => (r.validators[2].validatorIndex = -1)),
      'validators[2].validatorIndex',
      /integer/,
    );
    expectInvalid(
      edited((r) => (r.validators[2].validatorIndex = 0)),
      'validators[2].validatorIndex',
      /already used by validators\[0\]/,
    );
    expectInvalid(
      edited((r) => (r.validators[2].groupPublicKey = r.validators[0].groupPublicKey)),
      'validators[2].groupPublicKey',
      /already listed at validators\[0\]/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].members[0].unknown = 1)),
      'validators[0].members[0].unknown',
      /unknown field/,
    );
  });

  it("checks operators: the address is the p2p key's, each listed once, multiaddrs parse", () => {
    expectInvalid(
      edited((r) => (r.operators[1].address = r.operators[2].address)),
      'operators[1].address',
      /not the address of p2pPublicKey/,
    );
    expectInvalid(
      edited((r) => (r.operators[1].address = '0x1234')),
      'operators[1].address',
      /20-byte address/,
    );
    expectInvalid(
      edited((r) => r.operators.push(r.operators[3])),
      'operators[6].address',
      /already listed at operators\[3\]/,
    );
    // 0x02 ‖ 0xff…: x ≥ p, not a curve point.
    expectInvalid(
      edited((r) => (r.operators[0].p2pPublicKey = `0x02${'ff'.repeat(32)}`)),
      'operators[0].p2pPublicKey',
      /not a compressed secp256k1/,
    );
    expectInvalid(
      edited((r) => (r.operators[0].p2pPublicKey = `0x04${'11'.repeat(32)}`)),
      'operators[0].p2pPublicKey',
      /not a compressed secp256k1/,
    );
    expectInvalid(
      edited((r) => (r.operators[4].multiaddrs = ['/ip4/127.0.0.1/tcp/port'])),
      'operators[4].multiaddrs[0]',
      /not a multiaddr/,
    );
    expectInvalid(
      edited((r) => (r.operators[4].multiaddrs = '/ip4/127.0.0.1/tcp/1')),
      'operators[4].multiaddrs',
      /expected an array/,
    );
  });

  it('checks members: listed operators, none twice in one committee', () => {
    const outsider = generateIdentity().address;
    expectInvalid(
      edited((r) => (r.validators[1].members[2].operator = outsider)),
      'validators[1].members[2].operator',
      /not listed in operators/,
    );
    expectInvalid(
      edited((r) => (r.validators[1].members[2].operator = r.validators[1].members[0].operator)),
      'validators[1].members[2].operator',
      /already a member at validators\[1\]\.members\[0\]/,
    );
  });

  it('checks the public shares: valid G1 points on one polynomial through the group key', () => {
    // Not on the curve / the identity / not in G1: decoding fails, and the field says which.
    expectInvalid(
      edited((r) => (r.validators[1].members[2].publicShare = `0x8${'0'.repeat(94)}1`)),
      'validators[1].members[2].publicShare',
      /not a valid G1 public key/,
    );
    expectInvalid(
      edited((r) => (r.validators[1].members[2].publicShare = `0xc0${'00'.repeat(47)}`)),
      'validators[1].members[2].publicShare',
      /not a valid G1 public key/,
    );
    expectInvalid(
      edited((r) => (r.validators[0].groupPublicKey = `0xc0${'00'.repeat(47)}`)),
      'validators[0].groupPublicKey',
      /not a valid G1 public key/,
    );
    // Valid points that do not belong together: another validator's share, another group key,
    // a share of the last index (only caught by checking beyond the first t).
    const other = splitSecretKey(SecretKey.random(random), { threshold: 3, shareCount: 4, random });
    expectInvalid(
      edited((r) => (r.validators[0].members[0].publicShare = r.validators[1].members[0].publicShare)),
      'validators[0].members',
      /do not lie on one polynomial/,
    );
    expectInvalid(
      edited((r) => (r.validators[2].groupPublicKey = other.groupPublicKey.toHex())),
      'validators[2].members',
      /do not lie on one polynomial/,
    );
    expectInvalid(
      edited((r) => {
        const last = r.validators[0].members.find((m: Raw) => m.shareIndex === 4);
        last.publicShare = other.publicShares[3]!.publicKey.toHex();
      }),
      'validators[0].members',
      /share index 4 with share indices 1\.\.2/,
    );
  });

  it('with checkKeysOf, runs the key checks only for committees with that operator', () => {
    const v0 = dev.validators[0]!;
    const outsider = dev.operators.find((o) => !v0.operatorIndices.includes(o.index))!;
    const badKeys = edited(
      (r) => (r.validators[0].members[0].publicShare = r.validators[1].members[0].publicShare),
    );
    expect(() => parseClusterFile(badKeys, { checkKeysOf: outsider.address })).not.toThrow();
    const insider = dev.operators[v0.operatorIndices[0]!]!;
    expect(() => parseClusterFile(badKeys, { checkKeysOf: insider.address })).toThrow(
      /validators\[0\]\.members/,
    );
    // Structure is checked for every committee.
    const badShape = edited((r) => (r.validators[0].threshold = 9));
    expect(() => parseClusterFile(badShape, { checkKeysOf: outsider.address })).toThrow(
      /validators\[0\]\.threshold/,
    );
  });

  it('writes atomically and reads back what it wrote; a missing file is FILE_ACCESS_FAILED', async () => {
    const path = join(dir, 'written.json');
    await writeClusterFile(path, dev.cluster);
    const again: ClusterFile = { ...dev.cluster, validators: dev.cluster.validators.slice(1) };
    await writeClusterFile(path, again);
    expect(await readClusterFile(path)).toEqual(again);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    const missing = join(dir, 'absent.json');
    await expect(readClusterFile(missing)).rejects.toSatisfy(
      (e) =>
        isOperatorError(e, 'FILE_ACCESS_FAILED') &&
        e.details.path === missing &&
        e.details.operation === 'read',
    );
  });

  it('names the file in errors from readClusterFile', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(
      path,
      edited((r) => (r.validators[2].members[1].publicShare = '0xzz')),
    );
    await expect(readClusterFile(path)).rejects.toThrow(
      `invalid cluster file ${path} at validators[2].members[1].publicShare: expected 48 bytes hex`,
    );
  });
});
