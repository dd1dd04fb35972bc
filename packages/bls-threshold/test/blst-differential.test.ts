// Differential test against @chainsafe/blst (native, independent implementation): same key and
// signature bytes for random keys and messages, and each side verifies the other's output.
import * as blst from '@chainsafe/blst';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretKey, splitSecretKey } from '../src/index.ts';
import { blstBls, nobleBls } from './helpers/backends.ts';

const secretKeyArb = fc.uint8Array({ minLength: 48, maxLength: 48 }).map((b) => {
  let offset = 0;
  return SecretKey.random((n) => {
    const out = b.subarray(offset, offset + n);
    offset += n;
    return out;
  });
});
const messageArb = fc.uint8Array({ minLength: 0, maxLength: 200 });

describe('noble backend against native blst', () => {
  it('derives identical public keys and signatures, and each verifies the other', () => {
    fc.assert(
      fc.property(secretKeyArb, messageArb, (sk, msg) => {
        const native = blst.SecretKey.fromBytes(sk.toBytes());
        const ours = nobleBls.sign(sk, msg);
        expect(sk.toPublicKey().bytes).toEqual(native.toPublicKey().toBytes());
        expect(ours.bytes).toEqual(native.sign(msg).toBytes());
        expect(blst.verify(msg, native.toPublicKey(), blst.Signature.fromBytes(ours.bytes, true))).toBe(true);
        const theirs = nobleBls.signatureFromBytes(native.sign(msg).toBytes());
        expect(nobleBls.verify(sk.toPublicKey(), msg, theirs)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same answers on both backends for every operation', () => {
    fc.assert(
      fc.property(fc.array(secretKeyArb, { minLength: 2, maxLength: 4 }), messageArb, (sks, msg) => {
        const pks = sks.map((s) => s.toPublicKey());
        const sigsN = sks.map((s) => nobleBls.sign(s, msg));
        const sigsB = sks.map((s) => blstBls.sign(s, msg));
        expect(sigsB.map((s) => s.toHex())).toEqual(sigsN.map((s) => s.toHex()));
        const aggN = nobleBls.aggregateSignatures(sigsN);
        const aggB = blstBls.aggregateSignatures(sigsB);
        expect(aggB.toHex()).toBe(aggN.toHex());
        expect(blstBls.aggregatePublicKeys(pks).toHex()).toBe(nobleBls.aggregatePublicKeys(pks).toHex());
        expect(nobleBls.fastAggregateVerify(msg, pks, aggB)).toBe(true);
        expect(blstBls.fastAggregateVerify(msg, pks, aggN)).toBe(true);
        expect(blstBls.fastAggregateVerify(msg, pks.slice(1), aggN)).toBe(false);
        expect(nobleBls.fastAggregateVerify(msg, pks.slice(1), aggB)).toBe(false);
      }),
      { numRuns: 5 },
    );
  });

  it('moves points from blst objects to noble arithmetic without changing them', () => {
    const { shares, groupPublicKey } = splitSecretKey(SecretKey.fromScalar(42n), {
      threshold: 3,
      shareCount: 5,
    });
    const msg = new Uint8Array([1, 2, 3]);
    for (const s of shares) {
      const viaBlst = blstBls.sign(s.secretKey, msg);
      // The point comes from blst's uncompressed bytes; re-encoding it must give blst's compressed bytes.
      expect(viaBlst.point.toBytes(true)).toEqual(viaBlst.bytes);
      const pk = blstBls.publicKeyFromBytes(s.secretKey.toPublicKey().bytes);
      expect(pk.point.toBytes(true)).toEqual(pk.bytes);
    }
    expect(blstBls.publicKeyFromBytes(groupPublicKey.bytes).point.equals(groupPublicKey.point)).toBe(true);
  });
});
