// BLS12-381 for the tests: noble points in the EIP-2537 encoding our contracts read (the encoding is
// the package's own, src/internal/eip2537.ts; these helpers skip its input checks so tests can send
// the contracts points the library would refuse), and hash_to_curve.
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, type Hex, hexToBytes } from 'viem';
import {
  encodeG1Point as encodeG1,
  encodeG2Point as encodeG2,
  type G1Point,
  type G2Point,
} from '../../src/internal/eip2537.ts';

export const ETH_DST = 'BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_';

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

export { bls12_381, bytesToHex, encodeG1, encodeG2, hexToBytes };
