// BLS12-381 points in the encoding the EIP-2537 precompiles (and so our contracts) read: an Fp element
// as 64 bytes (16 zero bytes + 48 big-endian), G1 = x‖y (128 bytes), G2 = x.c0‖x.c1‖y.c0‖y.c1 (256
// bytes). Compressed inputs are the Ethereum/zcash serialization (48-byte G1, 96-byte G2), decoded and
// checked (on the curve, in the subgroup) by @noble/curves.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, type Hex } from 'viem';

type Fp2 = { c0: bigint; c1: bigint };
export type G1Point = ReturnType<typeof bls12_381.G1.Point.fromBytes>;
export type G2Point = ReturnType<typeof bls12_381.G2.Point.fromBytes>;

const fp = (x: bigint) => x.toString(16).padStart(128, '0');

/** The 128-byte EIP-2537 encoding of a G1 point. */
export function encodeG1Point(point: G1Point): Hex {
  const a = point.toAffine();
  return `0x${fp(a.x)}${fp(a.y)}`;
}

/** The 256-byte EIP-2537 encoding of a G2 point. */
export function encodeG2Point(point: G2Point): Hex {
  const a = point.toAffine() as { x: Fp2; y: Fp2 };
  return `0x${fp(a.x.c0)}${fp(a.x.c1)}${fp(a.y.c0)}${fp(a.y.c1)}`;
}

/** Decodes a 48-byte compressed G1 point (throws noble's error when it is not a valid point). */
export function decodeG1(bytes: Uint8Array): G1Point {
  return bls12_381.G1.Point.fromHex(bytesToHex(bytes).slice(2));
}

/** Decodes a 96-byte compressed G2 point (throws noble's error when it is not a valid point). */
export function decodeG2(bytes: Uint8Array): G2Point {
  return bls12_381.G2.Point.fromHex(bytesToHex(bytes).slice(2));
}
