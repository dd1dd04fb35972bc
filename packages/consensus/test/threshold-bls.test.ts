// Both protocols on real threshold BLS (@diva-dvt/bls-threshold, blst backend): 16 members, an
// 11-of-16 split key, a value whose signing root every member signs; the decided signature verifies
// under the group key. Delivery is in-process FIFO; the second case crashes the first leader.
import * as blst from '@chainsafe/blst';
import {
  createBls,
  createBlstBackend,
  createSeededRandom,
  createThresholdScheme,
  SecretKey,
  type Signature,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  type ConsensusInstance,
  leaderOrder,
  type PartialScheme,
  type ProtocolDescriptor,
  qbftProtocol,
  rotationalProtocol,
} from '../src/index.ts';
import { createMemoryGuard, createSimAuth, simulateInstance, simValueType } from '../src/sim/index.ts';

const n = 16;
const t = 11;
const bls = createBls({ backend: createBlstBackend(blst) });
const key = SecretKey.random(createSeededRandom('consensus-bls'));
const split = splitSecretKey(key, {
  threshold: t,
  shareCount: n,
  random: createSeededRandom('consensus-bls-split'),
});
// One member's scheme from bls-threshold, typed as this package's PartialScheme (the two must match).
const blsScheme = (member: number): PartialScheme<Signature, Signature> =>
  createThresholdScheme(bls, {
    shareIndex: member,
    secretShare: split.shares[member - 1]!.secretKey,
    publicShares: split.publicShares.map((p) => p.publicKey),
    groupPublicKey: split.groupPublicKey,
    threshold: split.threshold,
  });

function run(protocol: ProtocolDescriptor, crashed: ReadonlySet<number>) {
  const instance = sha256(new Uint8Array([protocol.id, crashed.size]));
  const leaderSeed = new Uint8Array(32).fill(5);
  const members: (ConsensusInstance<Uint8Array, Signature> | undefined)[] = [undefined];
  for (let j = 1; j <= n; j++) {
    members.push(
      crashed.has(j)
        ? undefined
        : protocol.create({
            n,
            t,
            self: j,
            instance,
            leaderSeed,
            valueType: simValueType,
            scheme: blsScheme(j),
            auth: createSimAuth(n, 1, j),
            guard: createMemoryGuard(),
            timeouts: { baseMs: 100, growth: 1, maxMs: 100 },
          }),
    );
  }
  const value = sha256(new TextEncoder().encode('attestation data'));
  const queue: { to: number; bytes: Uint8Array }[] = [];
  const push = (from: number, out: { messages: readonly { bytes: Uint8Array }[] }) => {
    for (const m of out.messages)
      for (let to = 1; to <= n; to++) if (to !== from) queue.push({ to, bytes: m.bytes });
  };
  members.forEach((m, j) => {
    if (m) push(j, m.start(value));
  });
  for (let step = 0; step < 20; step++) {
    while (queue.length > 0) {
      const { to, bytes } = queue.shift()!;
      const m = members[to];
      if (m) push(to, m.handle(bytes));
    }
    if (members.every((m) => !m || m.decision())) break;
    members.forEach((m, j) => {
      if (m && !m.decision()) push(j, m.timeout(m.round()));
    });
  }
  return { members, value, leaders: leaderOrder(n, instance, leaderSeed) };
}

describe.each([
  ['rotational', rotationalProtocol],
  ['qbft', qbftProtocol],
] as const)('%s with threshold BLS', (_name, protocol) => {
  it('decides at every member a signature the group key verifies, equal to the unsplit key signature', () => {
    const { members, value } = run(protocol, new Set());
    const root = simValueType.signingRoot(value);
    const expected = bls.sign(key, root);
    for (const m of members.slice(1)) {
      const d = m!.decision()!;
      expect(d.root).toEqual(root);
      expect(bls.verify(split.groupPublicKey, root, d.signature)).toBe(true);
      expect(d.signature.equals(expected)).toBe(true);
    }
  });

  it('decides with 5 members crashed', () => {
    const { members } = run(protocol, new Set([1, 4, 7, 10, 13]));
    const live = members.filter((m) => m !== undefined);
    expect(live).toHaveLength(11);
    for (const m of live)
      expect(bls.verify(split.groupPublicKey, m.decision()!.root, m.decision()!.signature)).toBe(true);
  });
});

describe('the simulator with threshold BLS plugged in (crypto included)', () => {
  it('decides honest rotational duties over a jittery network with a signature the group key verifies', () => {
    for (let i = 0; i < 2; i++) {
      const r = simulateInstance(
        {
          protocol: rotationalProtocol,
          n,
          t,
          seed: 9,
          network: { latencyMs: 50, jitterMs: 10 },
          scheme: blsScheme as (member: number) => PartialScheme<unknown, unknown>,
        },
        i,
      );
      expect(r.agreement).toBe(true);
      expect(r.signaturesValid).toBe(true);
      expect(r.decisions.every((d) => d !== undefined)).toBe(true);
    }
  });
});
