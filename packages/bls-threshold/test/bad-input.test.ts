// Every class of bad input throws a BlsError with its code and says where; nothing secret leaks.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  type Bls,
  BlsError,
  type BlsErrorCode,
  CURVE_ORDER,
  combinePartialSignatures,
  isBlsError,
  PublicKey,
  SecretKey,
  Signature,
  splitSecretKey,
} from '../src/index.ts';
import { backends } from './helpers/backends.ts';
import { hex, readVectorJson } from './helpers/vectors.ts';

function codeOf(f: () => unknown): BlsErrorCode | 'no error' {
  try {
    f();
    return 'no error';
  } catch (err) {
    if (!(err instanceof BlsError)) throw err;
    return err.code;
  }
}

function errorOf(f: () => unknown): BlsError {
  try {
    f();
  } catch (err) {
    if (err instanceof BlsError) return err;
    throw err;
  }
  throw new Error('expected a BlsError');
}

const sk = SecretKey.fromScalar(123456789n);
const pk = sk.toPublicKey();
const sig = Signature.fromPoint(backends[0]![1].sign(sk, new Uint8Array([1])).point);
const notInG1 = readVectorJson<{ input: { pubkey: string } }>(
  'bls12-381-tests',
  'deserialization_G1',
  'deserialization_fails_not_in_G1.json',
).input.pubkey;
const notInG2 = readVectorJson<{ input: { signature: string } }>(
  'bls12-381-tests',
  'deserialization_G2',
  'deserialization_fails_not_in_G2.json',
).input.signature;
const notOnCurveG1 = readVectorJson<{ input: { pubkey: string } }>(
  'bls12-381-tests',
  'deserialization_G1',
  'deserialization_fails_not_in_curve.json',
).input.pubkey;
const xEqualsP = readVectorJson<{ input: { pubkey: string } }>(
  'bls12-381-tests',
  'deserialization_G1',
  'deserialization_fails_x_equal_to_modulus.json',
).input.pubkey;

describe.each(backends)('point parsing on %s', (_name, bls: Bls) => {
  it('INVALID_LENGTH: wrong byte counts, with expected and actual', () => {
    const e = errorOf(() => bls.publicKeyFromBytes(new Uint8Array(47)));
    expect(e.details).toMatchObject({ code: 'INVALID_LENGTH', field: 'publicKey', expected: 48, actual: 47 });
    expect(codeOf(() => bls.signatureFromBytes(new Uint8Array(97)))).toBe('INVALID_LENGTH');
  });

  it('INVALID_TYPE: not a Uint8Array', () => {
    expect(codeOf(() => bls.publicKeyFromBytes('0xab' as unknown as Uint8Array))).toBe('INVALID_TYPE');
    expect(codeOf(() => bls.signatureFromBytes(undefined as unknown as Uint8Array))).toBe('INVALID_TYPE');
  });

  it('INVALID_ENCODING: missing compression flag, x not below p, not on the curve', () => {
    const uncompressedFlag = Uint8Array.from(pk.bytes);
    uncompressedFlag[0]! &= 0x7f;
    expect(codeOf(() => bls.publicKeyFromBytes(uncompressedFlag))).toBe('INVALID_ENCODING');
    expect(codeOf(() => bls.publicKeyFromBytes(hex(xEqualsP)))).toBe('INVALID_ENCODING');
    expect(codeOf(() => bls.publicKeyFromBytes(hex(notOnCurveG1)))).toBe('INVALID_ENCODING');
    const infinityWithJunk = new Uint8Array(96);
    infinityWithJunk[0] = 0xc0;
    infinityWithJunk[95] = 1;
    expect(codeOf(() => bls.signatureFromBytes(infinityWithJunk))).toBe('INVALID_ENCODING');
  });

  it('NOT_IN_SUBGROUP: on the curve but outside G1 / G2', () => {
    expect(codeOf(() => bls.publicKeyFromBytes(hex(notInG1)))).toBe('NOT_IN_SUBGROUP');
    expect(codeOf(() => bls.signatureFromBytes(hex(notInG2)))).toBe('NOT_IN_SUBGROUP');
  });

  it('IDENTITY_POINT: the point at infinity as a key or signature', () => {
    const inf48 = new Uint8Array(48);
    inf48[0] = 0xc0;
    const inf96 = new Uint8Array(96);
    inf96[0] = 0xc0;
    expect(codeOf(() => bls.publicKeyFromBytes(inf48))).toBe('IDENTITY_POINT');
    expect(codeOf(() => bls.signatureFromBytes(inf96))).toBe('IDENTITY_POINT');
    expect(bls.signatureFromBytes(inf96, { allowIdentity: true }).isIdentity()).toBe(true);
  });

  it('names the list position of a bad item', () => {
    const e = errorOf(() =>
      bls.signatureFromBytes(new Uint8Array(3), { field: 'partials.signature', index: 4 }),
    );
    expect(e.details).toMatchObject({ code: 'INVALID_LENGTH', field: 'partials.signature', index: 4 });
    expect(e.message).toContain('partials.signature [4]');
  });

  it('EMPTY_INPUT and LENGTH_MISMATCH in aggregation', () => {
    expect(codeOf(() => bls.aggregateSignatures([]))).toBe('EMPTY_INPUT');
    expect(codeOf(() => bls.aggregatePublicKeys([]))).toBe('EMPTY_INPUT');
    expect(codeOf(() => bls.aggregateVerify([new Uint8Array(1)], [pk, pk], sig))).toBe('LENGTH_MISMATCH');
  });

  it('returns false, not an error, for a well-formed wrong signature', () => {
    expect(bls.verify(pk, new Uint8Array([2]), sig)).toBe(false);
    expect(bls.verify(pk, new Uint8Array([1]), sig)).toBe(true);
  });
});

describe('secret keys', () => {
  it('INVALID_SCALAR: zero and values not below r', () => {
    expect(errorOf(() => SecretKey.fromScalar(0n)).details).toMatchObject({
      code: 'INVALID_SCALAR',
      reason: 'zero',
    });
    expect(errorOf(() => SecretKey.fromScalar(CURVE_ORDER)).details).toMatchObject({
      code: 'INVALID_SCALAR',
      reason: 'not below the group order r',
    });
    expect(codeOf(() => SecretKey.fromBytes(new Uint8Array(32)))).toBe('INVALID_SCALAR');
    expect(codeOf(() => SecretKey.fromBytes(new Uint8Array(32).fill(0xff)))).toBe('INVALID_SCALAR');
    expect(codeOf(() => SecretKey.fromBytes(new Uint8Array(31)))).toBe('INVALID_LENGTH');
  });

  it('never prints its scalar', () => {
    const secret = SecretKey.fromScalar(0xdeadbeefcafebabe1234n);
    const hexForm = 'deadbeefcafebabe1234';
    for (const shown of [String(secret), JSON.stringify({ secret }), inspect(secret), `${secret}`]) {
      expect(shown).not.toContain(hexForm);
      expect(shown).not.toContain(0xdeadbeefcafebabe1234n.toString());
    }
  });

  it('keeps secret bytes out of error messages', () => {
    const tooBig = new Uint8Array(32).fill(0xee);
    const e = errorOf(() => SecretKey.fromBytes(tooBig));
    expect(e.message).not.toMatch(/ee{4}/);
    expect(JSON.stringify(e.details)).not.toMatch(/ee{4}/);
  });
});

describe('threshold parameters', () => {
  it('INVALID_THRESHOLD: t = 0, t > n, non-integers', () => {
    expect(codeOf(() => splitSecretKey(sk, { threshold: 0, shareCount: 4 }))).toBe('INVALID_THRESHOLD');
    expect(codeOf(() => splitSecretKey(sk, { threshold: 5, shareCount: 4 }))).toBe('INVALID_THRESHOLD');
    expect(codeOf(() => splitSecretKey(sk, { threshold: 2.5, shareCount: 4 }))).toBe('INVALID_THRESHOLD');
  });

  it('INVALID_SHARE_INDEX, DUPLICATE_SHARE_INDEX and NOT_ENOUGH_PARTIALS in combination', () => {
    const p = { shareIndex: 1, signature: sig };
    expect(codeOf(() => combinePartialSignatures([p, { ...p, shareIndex: 1 }], { threshold: 2 }))).toBe(
      'DUPLICATE_SHARE_INDEX',
    );
    expect(codeOf(() => combinePartialSignatures([p, { ...p, shareIndex: -3 }], { threshold: 2 }))).toBe(
      'INVALID_SHARE_INDEX',
    );
    expect(
      codeOf(() => combinePartialSignatures([p, { ...p, shareIndex: 5 }], { threshold: 2, shareCount: 4 })),
    ).toBe('INVALID_SHARE_INDEX');
    expect(codeOf(() => combinePartialSignatures([p], { threshold: 2 }))).toBe('NOT_ENOUGH_PARTIALS');
    expect(codeOf(() => combinePartialSignatures([], { threshold: 1 }))).toBe('NOT_ENOUGH_PARTIALS');
  });

  it('isBlsError narrows by code', () => {
    try {
      PublicKey.fromBytes(new Uint8Array(2));
    } catch (err) {
      expect(isBlsError(err, 'INVALID_LENGTH')).toBe(true);
      expect(isBlsError(err, 'IDENTITY_POINT')).toBe(false);
    }
  });
});
