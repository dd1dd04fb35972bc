// Robust combination, the path a node runs on what peers send: it names every sender of an invalid
// partial and still returns a signature the group key accepts, on both backends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Bls,
  BlsError,
  createSeededRandom,
  type PartialSignature,
  SecretKey,
  splitSecretKey,
} from '../src/index.ts';
import { backends, blstBls } from './helpers/backends.ts';

const n = 16;
const t = 11;
const random = createSeededRandom('robust-combine');
const key = SecretKey.random(random);
const split = splitSecretKey(key, { threshold: t, shareCount: n, random });
const publicShares = split.publicShares.map((s) => s.publicKey);
const message = new TextEncoder().encode('signing root');
const other = new TextEncoder().encode('another root');
const good = split.shares.map((s) => blstBls.signPartial(s, message));
const bad = split.shares.map((s) => blstBls.signPartial(s, other));
const expected = blstBls.sign(key, message);

function corrupt(indices: readonly number[], from: readonly PartialSignature[] = good): PartialSignature[] {
  return from.map((p) => (indices.includes(p.shareIndex) ? bad[p.shareIndex - 1]! : p));
}

describe.each(backends)('robustCombine on %s', (_name, bls: Bls) => {
  const params = (partials: readonly PartialSignature[]) => ({
    groupPublicKey: split.groupPublicKey,
    publicShares,
    threshold: t,
    message,
    partials,
  });

  it('combines 16 valid partials on the optimistic path', () => {
    const r = bls.robustCombine(params(good));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.signature.equals(expected)).toBe(true);
    expect(r.invalidIndices).toEqual([]);
    expect(r.usedIndices).toHaveLength(t);
  });

  it('names two invalid senders among 16 and still returns the group signature', () => {
    const r = bls.robustCombine(params(corrupt([2, 9])));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.invalidIndices).toEqual([2, 9]);
    expect(r.signature.equals(expected)).toBe(true);
    expect(r.usedIndices).not.toContain(2);
    expect(r.usedIndices).not.toContain(9);
  });

  it('reports too few valid partials with the culprits instead of a signature', () => {
    const partials = corrupt([1, 5], good.slice(0, 12));
    const r = bls.robustCombine(params(partials));
    expect(r).toEqual({
      ok: false,
      reason: 'NOT_ENOUGH_VALID_PARTIALS',
      invalidIndices: [1, 5],
      validCount: 10,
    });
  });

  it('throws when fewer than t partials arrive', () => {
    expect(() => bls.robustCombine(params(good.slice(0, 10)))).toThrow(/NOT_ENOUGH_PARTIALS/);
  });

  it('throws when the public shares do not belong to the group key', () => {
    const stranger = SecretKey.fromScalar(7n).toPublicKey();
    expect(() => bls.robustCombine({ ...params(good), groupPublicKey: stranger })).toThrow(
      /GROUP_KEY_MISMATCH/,
    );
  });

  it('rejects duplicate and out-of-range sender indices', () => {
    const dup = [...good.slice(0, 11), good[3]!];
    expect(() => bls.robustCombine(params(dup))).toThrow(/DUPLICATE_SHARE_INDEX/);
    const out = [...good.slice(0, 11), { shareIndex: 17, signature: good[0]!.signature }];
    try {
      bls.robustCombine(params(out));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BlsError);
      expect((err as BlsError).details).toMatchObject({
        code: 'INVALID_SHARE_INDEX',
        shareIndex: 17,
        shareCount: 16,
      });
    }
  });
});

describe('robustCombine under random corruption', () => {
  it('names exactly the corrupted senders and returns the unsplit key signature whenever t stay valid', () => {
    const bls = blstBls;
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          Array.from({ length: n }, (_, i) => i + 1),
          { minLength: t, maxLength: n },
        ),
        fc.integer({ min: 0, max: 5 }),
        (senders, badCount) => {
          const badOnes = senders.slice(0, badCount);
          const partials = corrupt(
            badOnes,
            senders.map((i) => good[i - 1]!),
          );
          const r = bls.robustCombine({
            groupPublicKey: split.groupPublicKey,
            publicShares,
            threshold: t,
            message,
            partials,
          });
          expect([...r.invalidIndices]).toEqual([...badOnes].sort((a, b) => a - b));
          if (senders.length - badCount >= t) {
            expect(r.ok).toBe(true);
            if (r.ok) expect(r.signature.equals(expected)).toBe(true);
          } else {
            expect(r.ok).toBe(false);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
