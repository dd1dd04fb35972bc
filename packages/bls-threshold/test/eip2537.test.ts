// EIP-2537 encodings (the BLS12-381 precompiles' input format): the generator's published
// coordinates, round trips through noble's affine points, and the identity as zeros.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  createBls,
  createSeededRandom,
  g1ToEip2537,
  g2ToEip2537,
  PublicKey,
  SecretKey,
  Signature,
} from '../src/index.ts';

const fp = (x: bigint) => x.toString(16).padStart(128, '0');
const G1_GENERATOR_X =
  '17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb';
const G1_GENERATOR_Y =
  '08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1';

describe('EIP-2537 encodings', () => {
  it('encodes the G1 generator as EIP-2537 lists it (16 zero bytes before each 48-byte coordinate)', () => {
    const generator = PublicKey.fromPoint(bls12_381.G1.Point.BASE);
    const bytes = g1ToEip2537(generator);
    expect(bytes).toHaveLength(128);
    expect(bytesToHex(bytes)).toBe(`${'0'.repeat(32)}${G1_GENERATOR_X}${'0'.repeat(32)}${G1_GENERATOR_Y}`);
  });

  it('encodes public keys as x || y and signatures as x.c0 || x.c1 || y.c0 || y.c1', () => {
    const bls = createBls();
    const random = createSeededRandom('eip2537');
    for (let i = 0; i < 4; i++) {
      const sk = SecretKey.random(random);
      const pk = sk.toPublicKey();
      const a = pk.point.toAffine();
      expect(bytesToHex(g1ToEip2537(pk))).toBe(fp(a.x) + fp(a.y));
      const sig = bls.sign(sk, new Uint8Array([i]));
      const b = sig.point.toAffine();
      const g2 = g2ToEip2537(sig);
      expect(g2).toHaveLength(256);
      expect(bytesToHex(g2)).toBe(fp(b.x.c0) + fp(b.x.c1) + fp(b.y.c0) + fp(b.y.c1));
    }
  });

  it('encodes the identity as all zeros', () => {
    const infinity = new Uint8Array(96);
    infinity[0] = 0xc0;
    expect(g2ToEip2537(Signature.fromBytes(infinity, { allowIdentity: true }))).toEqual(new Uint8Array(256));
    const g1Infinity = new Uint8Array(48);
    g1Infinity[0] = 0xc0;
    expect(g1ToEip2537(PublicKey.fromBytes(g1Infinity, { allowIdentity: true }))).toEqual(
      new Uint8Array(128),
    );
  });
});
