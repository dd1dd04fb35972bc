// Fairness of the committee draw. Anvil can't pin prevrandao on mined blocks, so the registry's
// selection function is called with explicit seeds (the real path uses the same function with the
// target block's prevrandao, see committee-draw.test.ts). 10,000 first picks follow capacity
// (chi-square, p > 0.01); a biased selector on the same seeds fails the same test; whole committees
// equal an independent TypeScript model of successive weighted sampling without replacement; and
// every pick of 10,000 committees follows the remaining capacity.
import { type Address, createPublicClient, encodeAbiParameters, http, keccak256, toHex } from 'viem';
import { foundry } from 'viem/chains';
import { describe, expect, it } from 'vitest';
import { operatorRegistryAbi } from '../src/generated/index.ts';
import { useAnvil } from './helpers/anvil.ts';
import { chiSquareTest, gammaQ } from './helpers/stats.ts';
import { addOperators, deploySystem } from './helpers/system.ts';

// 24 operators, capacities 1..24 seats (sum 300).
const CAPACITIES = Array.from({ length: 24 }, (_, i) => BigInt(i + 1));
const seedOf = (i: number) => keccak256(toHex(`fairness-${i}`));
const pickRandom = (seed: `0x${string}`, k: number) =>
  BigInt(keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [seed, BigInt(k)])));

/** The draw as specified: pick k takes r = keccak(seed, k) mod remaining weight, walks cumulative weights. */
function modelSelect(seed: `0x${string}`, weights: readonly bigint[], count: number): number[] {
  const taken = new Set<number>();
  let remaining = weights.reduce((a, b) => a + b, 0n);
  const picks: number[] = [];
  for (let k = 0; k < count; k++) {
    let r = pickRandom(seed, k) % remaining;
    let index = 0;
    for (; index < weights.length; index++) {
      if (taken.has(index)) continue;
      if (r < weights[index]!) break;
      r -= weights[index]!;
    }
    taken.add(index);
    picks.push(index);
    remaining -= weights[index]!;
  }
  return picks;
}

async function inBatches<T, R>(items: readonly T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

describe('committee draw fairness', () => {
  const chain = useAnvil({
    setup: async (client) => {
      const system = await deploySystem(client);
      const operators = await addOperators(client, system, CAPACITIES, 'fair');
      return { system, addresses: operators.map((o) => o.address) as Address[] };
    },
  });
  // JSON-RPC batches of eth_calls: thousands of selections per second instead of hundreds.
  let batchClient: ReturnType<typeof createPublicClient> | undefined;
  const batched = () => {
    batchClient ??= createPublicClient({
      chain: foundry,
      transport: http(chain.anvil().url, { batch: { batchSize: 250 }, retryCount: 0 }),
    });
    return batchClient;
  };
  const select = (seed: `0x${string}`, count: number) =>
    batched().readContract({
      address: chain.context().system.operatorRegistry,
      abi: operatorRegistryAbi,
      functionName: 'selectOperators',
      args: [seed, BigInt(count), []],
    });

  it('computes chi-square p-values that match known quantiles', () => {
    // df = 23: the 0.99 quantile is 41.638; df = 1: P(X > 3.841) = 0.05.
    expect(gammaQ(23 / 2, 41.638 / 2)).toBeCloseTo(0.01, 4);
    expect(gammaQ(0.5, 3.841 / 2)).toBeCloseTo(0.05, 3);
    expect(chiSquareTest([50, 50], [50, 50]).pValue).toBe(1);
  });

  it('picks the first member in proportion to capacity over 10,000 seeds (p > 0.01)', async () => {
    const { addresses } = chain.context();
    const seeds = Array.from({ length: 10_000 }, (_, i) => seedOf(i));
    const firsts = await inBatches(seeds, 250, async (seed) => (await select(seed, 1))[0]!);
    const observed = addresses.map((a) => firsts.filter((f) => f === a).length);
    const total = Number(CAPACITIES.reduce((a, b) => a + b, 0n));
    const expected = CAPACITIES.map((c) => (Number(c) / total) * seeds.length);
    const result = chiSquareTest(observed, expected);
    expect(result.pValue).toBeGreaterThan(0.01);
    // The same seeds through a selector that ignores capacity (uniform) fail the test.
    const uniform = seeds.map((seed) => Number(pickRandom(seed, 0) % BigInt(addresses.length)));
    const biased = addresses.map((_, i) => uniform.filter((u) => u === i).length);
    expect(chiSquareTest(biased, expected).pValue).toBeLessThan(0.01);
    // And a subtle one: an off-by-one walk that gives each operator's mass to its neighbour.
    const shifted = seeds.map((seed) => (modelSelect(seed, CAPACITIES, 1)[0]! + 1) % addresses.length);
    const shiftedCounts = addresses.map((_, i) => shifted.filter((s) => s === i).length);
    expect(chiSquareTest(shiftedCounts, expected).pValue).toBeLessThan(0.01);
  });

  it('draws whole committees exactly as the model of weighted sampling without replacement', async () => {
    const { addresses } = chain.context();
    const seeds = Array.from({ length: 300 }, (_, i) => seedOf(100_000 + i));
    const committees = await inBatches(seeds, 100, (seed) => select(seed, 16));
    for (const [i, committee] of committees.entries()) {
      expect(committee).toEqual(modelSelect(seeds[i]!, CAPACITIES, 16).map((index) => addresses[index]));
      expect(new Set(committee).size).toBe(16);
    }
  });

  it('makes every pick of 10,000 committees follow the remaining capacity (p > 0.01)', async () => {
    const { addresses } = chain.context();
    const seeds = Array.from({ length: 10_000 }, (_, i) => seedOf(200_000 + i));
    const committees = await inBatches(seeds, 100, (seed) => select(seed, 16));
    const observed = new Array<number>(addresses.length).fill(0);
    const expected = new Array<number>(addresses.length).fill(0);
    const weights = CAPACITIES.map(Number);
    const index = new Map(addresses.map((a, i) => [a, i]));
    for (const committee of committees) {
      const taken = new Set<number>();
      let remaining = weights.reduce((a, b) => a + b, 0);
      for (const member of committee) {
        // Each pick's conditional law: remaining capacity over what is left.
        for (let i = 0; i < weights.length; i++) if (!taken.has(i)) expected[i]! += weights[i]! / remaining;
        const picked = index.get(member)!;
        observed[picked]! += 1;
        taken.add(picked);
        remaining -= weights[picked]!;
      }
    }
    expect(chiSquareTest(observed, expected).pValue).toBeGreaterThan(0.01);
  });
});
