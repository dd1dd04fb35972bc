// Polynomial and commitment evaluation at share indices: the secret and public shares of a split,
// the Feldman relation f(x)·G1 = Σ C_k·x^k, and typed errors for indices outside 1..2^32-1.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURVE_ORDER,
  createSeededRandom,
  evaluateCommitments,
  evaluatePolynomial,
  isBlsError,
  SecretKey,
  splitSecretKey,
} from '../src/index.ts';
import { multiplyG1Generator } from '../src/math.ts';

describe('evaluatePolynomial and evaluateCommitments', () => {
  it('give the shares and public shares of a split', () => {
    const split = splitSecretKey(SecretKey.random(createSeededRandom('poly')), {
      threshold: 3,
      shareCount: 5,
      random: createSeededRandom('poly-split'),
    });
    const commitments = split.commitments.map((c) => c.point);
    for (const { shareIndex, publicKey } of split.publicShares) {
      expect(evaluateCommitments(commitments, shareIndex).equals(publicKey.point)).toBe(true);
    }
  });

  it('satisfy f(x)·G1 = Σ C_k·x^k for random polynomials and indices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 0xffff_ffff }),
        (coefficients, x) => {
          const commitments = coefficients.map((a) => multiplyG1Generator(a));
          const value = evaluatePolynomial(coefficients, x);
          expect(evaluateCommitments(commitments, x).equals(multiplyG1Generator(value))).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('throw INVALID_SHARE_INDEX for x outside 1..2^32-1', () => {
    for (const x of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
      for (const f of [() => evaluatePolynomial([1n, 2n], x), () => evaluateCommitments([], x)]) {
        let caught: unknown;
        try {
          f();
        } catch (err) {
          caught = err;
        }
        expect(isBlsError(caught, 'INVALID_SHARE_INDEX')).toBe(true);
        if (isBlsError(caught, 'INVALID_SHARE_INDEX')) expect(caught.details.field).toBe('x');
      }
    }
  });
});
