// Liveness: with honest leaders or up to f = 5 crashed members (leaders included) and up to 10% loss,
// every instance decides; the rounds it needed are recorded.
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { leaderOrder, qbftProtocol, rotationalProtocol } from '../src/index.ts';
import { type SimulationConfig, simulateInstance } from '../src/sim/index.ts';

const base = {
  n: 16,
  t: 11,
  seed: 42,
  timeouts: { baseMs: 500, growth: 1.5, maxMs: 5000 },
  horizonMs: 120_000,
};

describe.each([
  ['rotational', rotationalProtocol],
  ['qbft', qbftProtocol],
] as const)('%s liveness', (_name, protocol) => {
  const run = (config: Omit<SimulationConfig, 'protocol' | 'n' | 't' | 'seed'>, count: number) =>
    Array.from({ length: count }, (_, i) => simulateInstance({ ...base, protocol, ...config }, i));

  it('decides every instance in round 1 when all are honest', () => {
    const reports = run({ network: { latencyMs: 50, jitterMs: 10 } }, 40);
    expect(reports.every((r) => r.allDecidedMs !== undefined && r.rounds === 1)).toBe(true);
  });

  it('decides every instance with 10% loss (the duty is done once one member holds the signature)', () => {
    const reports = run({ network: { latencyMs: 50, jitterMs: 10, loss: 0.1 } }, 25);
    expect(reports.every((r) => r.firstDecisionMs !== undefined)).toBe(true);
  });

  it('decides every instance with any 5 members crashed', () => {
    const reports = run(
      {
        network: { latencyMs: 50, jitterMs: 10 },
        faults: { crashes: new Map([3, 6, 9, 12, 15].map((m) => [m, { atMs: 0 }])) },
      },
      25,
    );
    expect(reports.every((r) => r.allDecidedMs !== undefined)).toBe(true);
  });
});

describe('rotational liveness under crashes and loss together', () => {
  it('decides every instance with its first 5 leaders crashed and 10% loss', () => {
    // Partials persist across rounds (round changes carry them), so lost votes are made up later.
    // QBFT has no such carry-over: with 5 crashed, each member needs every live member's PREPARE and
    // COMMIT in one round, and 10% loss makes that rare (see the benchmark's decision rates).
    const reports = Array.from({ length: 25 }, (_, i) =>
      simulateInstance(
        {
          ...base,
          protocol: rotationalProtocol,
          network: { latencyMs: 50, jitterMs: 10, loss: 0.1 },
          faults: (leaders) => ({ crashes: new Map(leaders.slice(0, 5).map((l) => [l, { atMs: 0 }])) }),
        },
        i,
      ),
    );
    expect(reports.every((r) => r.allDecidedMs !== undefined)).toBe(true);
    expect(Math.max(...reports.map((r) => r.rounds))).toBeGreaterThanOrEqual(6);
  });
});

it('draws leaders from the seed: orders differ by duty and seed, each a permutation', () => {
  const a = leaderOrder(16, new Uint8Array(32).fill(1), new Uint8Array(32).fill(9));
  const b = leaderOrder(16, new Uint8Array(32).fill(2), new Uint8Array(32).fill(9));
  const c = leaderOrder(16, new Uint8Array(32).fill(1), new Uint8Array(32).fill(8));
  expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  expect(a).not.toEqual(b);
  expect(a).not.toEqual(c);
  // The rule, restated (docs/consensus.md): words are big-endian u32s of sha256(base || u32(counter))
  // with base = sha256(instance || seed), drawn by a Fisher-Yates shuffle with rejection sampling.
  const reference = (n: number, instance: Uint8Array, seed: Uint8Array) => {
    const base = sha256(new Uint8Array([...instance, ...seed]));
    const words: number[] = [];
    for (let counter = 0; words.length < 64; counter++) {
      const block = sha256(
        new Uint8Array([...base, counter >>> 24, counter >>> 16, counter >>> 8, counter & 255]),
      );
      for (let k = 0; k < 32; k += 4) words.push(new DataView(block.buffer).getUint32(k));
    }
    const order = Array.from({ length: n }, (_, i) => i + 1);
    for (let i = n - 1; i > 0; i--) {
      const limit = Math.floor(2 ** 32 / (i + 1)) * (i + 1);
      let x = words.shift()!;
      while (x >= limit) x = words.shift()!;
      const j = x % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  };
  expect(a).toEqual(reference(16, new Uint8Array(32).fill(1), new Uint8Array(32).fill(9)));
  expect(a).toEqual([6, 2, 16, 8, 7, 10, 13, 5, 1, 4, 15, 12, 3, 14, 9, 11]);
  for (let k = 0; k < 20; k++) {
    const instance = sha256(new Uint8Array([k]));
    const seed = sha256(new Uint8Array([k, 1]));
    expect(leaderOrder(4 + k, instance, seed)).toEqual(reference(4 + k, instance, seed));
  }
});
