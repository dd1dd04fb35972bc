// Key objects, proofs of possession and injected randomness.
import { describe, expect, it } from 'vitest';
import {
  createSeededRandom,
  PublicKey,
  provePossession,
  SecretKey,
  Signature,
  splitSecretKey,
  verifyPossession,
} from '../src/index.ts';
import { backends } from './helpers/backends.ts';

describe('keys', () => {
  it('reproduces keys and splits from a seed, and differs across seeds', () => {
    const a = SecretKey.random(createSeededRandom('seed-a'));
    const a2 = SecretKey.random(createSeededRandom('seed-a'));
    const b = SecretKey.random(createSeededRandom('seed-b'));
    expect(a.equals(a2)).toBe(true);
    expect(a.equals(b)).toBe(false);
    const s1 = splitSecretKey(a, { threshold: 3, shareCount: 5, random: createSeededRandom('split') });
    const s2 = splitSecretKey(a, { threshold: 3, shareCount: 5, random: createSeededRandom('split') });
    expect(s1.publicShares.map((p) => p.publicKey.toHex())).toEqual(
      s2.publicShares.map((p) => p.publicKey.toHex()),
    );
    expect(s1.groupPublicKey.equals(a.toPublicKey())).toBe(true);
    expect(s1.shares.map((s) => s.shareIndex)).toEqual([1, 2, 3, 4, 5]);
  });

  it('round-trips secret keys through bytes and hex', () => {
    const sk = SecretKey.random(createSeededRandom('rt'));
    expect(SecretKey.fromBytes(sk.toBytes()).equals(sk)).toBe(true);
    expect(SecretKey.fromHex(`0x${Buffer.from(sk.toBytes()).toString('hex')}`).equals(sk)).toBe(true);
  });

  it('decodes a parsed point once and keeps it', () => {
    const pk = PublicKey.fromBytes(SecretKey.fromScalar(9n).toPublicKey().bytes);
    expect(pk.point).toBe(pk.point);
    for (const [, bls] of backends) {
      const sig = bls.signatureFromBytes(bls.sign(SecretKey.fromScalar(9n), new Uint8Array([1])).bytes);
      expect(sig.point).toBe(sig.point);
      expect(Signature.fromPoint(sig.point).equals(sig)).toBe(true);
    }
  });

  it('serializes keys and signatures as 0x-hex in JSON', () => {
    const pk = SecretKey.fromScalar(3n).toPublicKey();
    expect(JSON.parse(JSON.stringify({ pk }))).toEqual({ pk: pk.toHex() });
    expect(pk.toHex()).toMatch(/^0x[0-9a-f]{96}$/);
  });
});

describe('proof of possession', () => {
  const sk = SecretKey.random(createSeededRandom('pop'));
  const pk = sk.toPublicKey();

  it('verifies a proof made by the key holder', () => {
    expect(verifyPossession(pk, provePossession(sk))).toBe(true);
  });

  it('rejects a proof for another key', () => {
    const other = SecretKey.random(createSeededRandom('pop-other'));
    expect(verifyPossession(other.toPublicKey(), provePossession(sk))).toBe(false);
  });

  it('is domain-separated from ordinary signatures over the same bytes', () => {
    const [, bls] = backends[0]!;
    const plain = bls.sign(sk, pk.bytes);
    expect(verifyPossession(pk, plain)).toBe(false);
    expect(bls.verify(pk, pk.bytes, provePossession(sk))).toBe(false);
  });
});

describe('point encoding', () => {
  it('encodes computed points exactly as noble does, both y signs, in G1 and G2', async () => {
    const { bls12_381 } = await import('@noble/curves/bls12-381.js');
    for (let i = 1n; i < 40n; i++) {
      const g1 = bls12_381.G1.Point.BASE.multiply(i * 7919n);
      const g2 = bls12_381.G2.Point.BASE.multiply(i * 104729n);
      expect(PublicKey.fromPoint(g1).bytes).toEqual(g1.toBytes(true));
      expect(PublicKey.fromPoint(g1.negate()).bytes).toEqual(g1.negate().toBytes(true));
      expect(Signature.fromPoint(g2).bytes).toEqual(g2.toBytes(true));
      expect(Signature.fromPoint(g2.negate()).bytes).toEqual(g2.negate().toBytes(true));
    }
    expect(PublicKey.fromPoint(bls12_381.G1.Point.ZERO).isIdentity()).toBe(true);
    expect(Signature.fromPoint(bls12_381.G2.Point.ZERO).isIdentity()).toBe(true);
  });
});
