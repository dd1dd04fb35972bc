// BLS12-381 encodings between noble points and what the EIP-2537 precompiles and our contracts read:
// Fp as 64 bytes (16 zero bytes + 48 big-endian), G1 = x‖y, G2 = x.c0‖x.c1‖y.c0‖y.c1.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, type Hex, hexToBytes } from 'viem';

export const ETH_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

type Fp2 = { c0: bigint; c1: bigint };
type G1Point = ReturnType<typeof bls12_381.G1.Point.fromHex>;
type G2Point = ReturnType<typeof bls12_381.G2.Point.fromHex>;

const fp = (x: bigint) => x.toString(16).padStart(128, '0');

export function encodeG1(point: G1Point): Hex {
  const a = point.toAffine();
  return `0x${fp(a.x)}${fp(a.y)}`;
}

export function encodeG2(point: G2Point): Hex {
  const a = point.toAffine() as { x: Fp2; y: Fp2 };
  return `0x${fp(a.x.c0)}${fp(a.x.c1)}${fp(a.y.c0)}${fp(a.y.c1)}`;
}

const strip = (h: string) => (h.startsWith('0x') ? h.slice(2) : h);

/** The uncompressed 128-byte G1 encoding of a compressed public key. */
export function g1FromCompressed(pubkey: Hex | Uint8Array): Hex {
  const hex = typeof pubkey === 'string' ? strip(pubkey) : bytesToHex(pubkey).slice(2);
  return encodeG1(bls12_381.G1.Point.fromHex(hex));
}

/** The uncompressed 256-byte G2 encoding of a compressed signature (the hint our contracts take). */
export function g2FromCompressed(signature: Hex | Uint8Array): Hex {
  const hex = typeof signature === 'string' ? strip(signature) : bytesToHex(signature).slice(2);
  return encodeG2(bls12_381.G2.Point.fromHex(hex));
}

/** hash_to_curve into G2 with `dst` (noble), uncompressed. */
export function hashToG2(message: Uint8Array, dst: string = ETH_DST): Hex {
  return encodeG2(bls12_381.G2.hashToCurve(message, { DST: dst }) as G2Point);
}

export function compressG1(point: G1Point): Hex {
  return bytesToHex(point.toBytes(true));
}

export function compressG2(point: G2Point): Hex {
  return bytesToHex(point.toBytes(true));
}

export { bls12_381, bytesToHex, hexToBytes };
