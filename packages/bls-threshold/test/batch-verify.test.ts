// Random-linear-combination batch verification: independent sets and many signatures on one message.
import { describe, expect, it } from 'vitest';
import { type Bls, createSeededRandom, type KeyedSignature, SecretKey } from '../src/index.ts';
import { backends } from './helpers/backends.ts';

const random = createSeededRandom('batch');
const keys = Array.from({ length: 6 }, () => SecretKey.random(random));
const msgs = keys.map((_, i) => new Uint8Array([i, i, i]));

describe.each(backends)('batch verification on %s', (_name, bls: Bls) => {
  const sets = keys.map((k, i) => ({
    publicKey: k.toPublicKey(),
    message: msgs[i % 3]!,
    signature: bls.sign(k, msgs[i % 3]!),
  }));

  it('accepts a batch of valid independent sets, some sharing messages', () => {
    expect(bls.verifyBatch(sets)).toBe(true);
  });

  it('rejects a batch with one set signed over another message', () => {
    const forged = sets.map((s, i) =>
      i === 4 ? { ...s, signature: bls.sign(keys[4]!, new Uint8Array([9])) } : s,
    );
    expect(bls.verifyBatch(forged)).toBe(false);
  });

  it('rejects two swapped signatures whose sum is still right (the reason for random scalars)', () => {
    const m = new Uint8Array([7]);
    const a = bls.sign(keys[0]!, m);
    const b = bls.sign(keys[1]!, m);
    // (pk0, m, b) and (pk1, m, a): a plain aggregate check would pass, a random combination does not.
    const swapped = [
      { publicKey: keys[0]!.toPublicKey(), message: m, signature: b },
      { publicKey: keys[1]!.toPublicKey(), message: m, signature: a },
    ];
    expect(bls.verifyBatch(swapped)).toBe(false);
    expect(
      bls.verifySameMessage(
        m,
        swapped.map(({ publicKey, signature }) => ({ publicKey, signature })),
      ),
    ).toBe(false);
  });

  it('verifies many keys over one message, and finds a bad one', () => {
    const m = bls.prepareMessage(new Uint8Array(32).fill(3));
    const items: KeyedSignature[] = keys.map((k) => ({
      publicKey: k.toPublicKey(),
      signature: bls.sign(k, m.message),
    }));
    expect(bls.verifySameMessage(m, items)).toBe(true);
    const broken = items.map((it, i) => (i === 2 ? { ...it, signature: items[3]!.signature } : it));
    expect(bls.verifySameMessage(m, broken)).toBe(false);
  });

  it('returns false for an empty batch', () => {
    expect(bls.verifyBatch([])).toBe(false);
    expect(bls.verifySameMessage(new Uint8Array(1), [])).toBe(false);
  });
});
