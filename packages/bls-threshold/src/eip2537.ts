/**
 * EIP-2537 encodings: the uncompressed form in which the BLS12-381 precompiles (Prague) and
 * contracts that call them take points. Fp elements are 64 bytes (16 zero bytes, then 48
 * big-endian); G1 is x || y (128 bytes), G2 is x.c0 || x.c1 || y.c0 || y.c1 (256 bytes).
 */
import { encodeG1Eip2537, encodeG2Eip2537 } from './curve.ts';
import type { PublicKey, Signature } from './keys.ts';

/** A public key (G1) as the 128 bytes EIP-2537 precompiles take. */
export function g1ToEip2537(publicKey: PublicKey): Uint8Array {
  return encodeG1Eip2537(publicKey.point);
}

/** A signature (G2) as the 256 bytes EIP-2537 precompiles take (e.g. the hint a contract checks). */
export function g2ToEip2537(signature: Signature): Uint8Array {
  return encodeG2Eip2537(signature.point);
}
