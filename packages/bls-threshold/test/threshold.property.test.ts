// Properties of threshold signing (fast-check): any t of n partials combine to exactly the signature
// of the unsplit key; t-1 do not; order does not matter; public shares interpolate to the group key;
// secret recovery; duplicate and out-of-range indices are rejected.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURVE_ORDER } from '../src/constants.ts';
import {
  BlsError,
  combinePartialSignatures,
  combinePublicShares,
  createSeededRandom,
  lagrangeCoefficientsAtZero,
  lagrangeIntegerForm,
  type PartialSignature,
  recoverSecretKey,
  SecretKey,
  splitSecretKey,
} from '../src/index.ts';
import { blstBls, nobleBls } from './helpers/backends.ts';

// A committee with its partial signatures over one message, computed once per (n, t, seed).
function committee(n: number, t: number, seed: number) {
  const random = createSeededRandom(`committee-${n}-${t}-${seed}`);
  const key = SecretKey.random(random);
  const split = splitSecretKey(key, { threshold: t, shareCount: n, random });
  const message = new TextEncoder().encode(`message ${seed}`);
  // Partials signed natively for speed; the combination under test runs on noble either way.
  const partials = split.shares.map((s) => blstBls.signPartial(s, message));
  return { key, split, message, partials, expected: blstBls.sign(key, message) };
}

const committees = new Map<string, ReturnType<typeof committee>>();
function cached(n: number, t: number, seed: number) {
  const k = `${n}/${t}/${seed}`;
  const known = committees.get(k);
  if (known) return known;
  const made = committee(n, t, seed);
  committees.set(k, made);
  return made;
}

// (n, t, seed, a subset of size t as a shuffled list of 1-based indices)
const scenario = fc
  .record({ n: fc.integer({ min: 4, max: 16 }), seed: fc.integer({ min: 0, max: 2 }) })
  .chain(({ n, seed }) => {
    const t = Math.floor((2 * n) / 3) + 1;
    return fc.record({
      n: fc.constant(n),
      t: fc.constant(t),
      seed: fc.constant(seed),
      subset: fc.shuffledSubarray(
        Array.from({ length: n }, (_, i) => i + 1),
        { minLength: t, maxLength: t },
      ),
      order: fc.func(fc.integer()),
    });
  });

describe('threshold combination', () => {
  it('combines any t of n partials to exactly the signature of the unsplit key', () => {
    fc.assert(
      fc.property(scenario, ({ n, t, seed, subset }) => {
        const c = cached(n, t, seed);
        const chosen = subset.map((i) => c.partials[i - 1]!);
        const sig = combinePartialSignatures(chosen, { threshold: t, shareCount: n });
        expect(sig.toHex()).toBe(c.expected.toHex());
        expect(blstBls.verify(c.split.groupPublicKey, c.message, sig)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('does not care about the order of the partials', () => {
    fc.assert(
      fc.property(scenario, ({ n, t, seed, subset }) => {
        const c = cached(n, t, seed);
        const chosen = subset.map((i) => c.partials[i - 1]!);
        const reversed = [...chosen].reverse();
        const a = combinePartialSignatures(chosen, { threshold: t });
        const b = combinePartialSignatures(reversed, { threshold: t });
        expect(a.equals(b)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('cannot produce the group signature from t-1 partials', () => {
    fc.assert(
      fc.property(scenario, ({ n, t, seed, subset }) => {
        const c = cached(n, t, seed);
        const chosen = subset.slice(0, t - 1).map((i) => c.partials[i - 1]!);
        // The API refuses fewer than t...
        expect(() => combinePartialSignatures(chosen, { threshold: t })).toThrow(BlsError);
        // ...and interpolating them anyway gives a signature the group key rejects.
        const wrong = combinePartialSignatures(chosen, { threshold: t - 1 });
        expect(wrong.equals(c.expected)).toBe(false);
        expect(blstBls.verify(c.split.groupPublicKey, c.message, wrong)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('interpolates any t public shares to the group public key, and recovers the secret', () => {
    fc.assert(
      fc.property(scenario, ({ n, t, seed, subset }) => {
        const c = cached(n, t, seed);
        const shares = subset.map((i) => c.split.publicShares[i - 1]!);
        expect(
          combinePublicShares(shares, { threshold: t, shareCount: n }).equals(c.split.groupPublicKey),
        ).toBe(true);
        const secrets = subset.map((i) => c.split.shares[i - 1]!);
        expect(recoverSecretKey(secrets, t).equals(c.key)).toBe(true);
        expect(recoverSecretKey(secrets.slice(0, t - 1), t - 1).equals(c.key)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('agrees with textbook Lagrange coefficients in its cleared-denominator form', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (indices) => {
          const lambdas = lagrangeCoefficientsAtZero(indices);
          // Σ λ_i = 1 (interpolating the constant polynomial 1).
          expect(lambdas.reduce((a, b) => (a + b) % CURVE_ORDER, 0n)).toBe(1n);
          const integer = lagrangeIntegerForm(indices);
          if (integer) {
            integer.coefficients.forEach((e, i) => {
              const v = (((integer.multiplier * e) % CURVE_ORDER) + CURVE_ORDER) % CURVE_ORDER;
              expect(v).toBe(lambdas[i]);
            });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps the cleared-denominator integers short for committees of 16', () => {
    const form = lagrangeIntegerForm([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(form).toBeDefined();
    const bits = Math.max(...form!.coefficients.map((e) => (e < 0n ? -e : e).toString(2).length));
    expect(bits).toBeLessThanOrEqual(64);
  });

  it('rejects duplicate and out-of-range indices', () => {
    const c = cached(16, 11, 0);
    const eleven = c.partials.slice(0, 11);
    const dup: PartialSignature[] = [...eleven.slice(0, 10), { ...eleven[0]! }];
    expect(() => combinePartialSignatures(dup, { threshold: 11 })).toThrow(/DUPLICATE_SHARE_INDEX/);
    const outOfRange = [...eleven.slice(0, 10), { shareIndex: 17, signature: eleven[10]!.signature }];
    expect(() => combinePartialSignatures(outOfRange, { threshold: 11, shareCount: 16 })).toThrow(
      /INVALID_SHARE_INDEX/,
    );
    const zero = [...eleven.slice(0, 10), { shareIndex: 0, signature: eleven[10]!.signature }];
    expect(() => combinePartialSignatures(zero, { threshold: 11 })).toThrow(/INVALID_SHARE_INDEX/);
    expect(() => lagrangeCoefficientsAtZero([1, 2, 2])).toThrow(/DUPLICATE_SHARE_INDEX/);
  });

  it('splits with the noble backend signing identically to blst', () => {
    const c = cached(4, 3, 1);
    const viaNoble = c.split.shares.slice(0, 3).map((s) => nobleBls.signPartial(s, c.message));
    expect(combinePartialSignatures(viaNoble, { threshold: 3 }).equals(c.expected)).toBe(true);
  });
});
