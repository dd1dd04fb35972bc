/**
 * Proofs of possession (PopProve / PopVerify of draft-irtf-cfrg-bls-signature-05, section 3.3): a
 * signature over the public key's own bytes under the POP DST. FastAggregateVerify is sound only over
 * keys whose possession was proven; the DKG uses the same idea for its dealers.
 * Runs on noble: blst's bindings fix the signature DST.
 */
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { DST_PROOF_OF_POSSESSION } from './constants.ts';
import { hashToG2, NEG_G1_GENERATOR, pairingProductIsOne } from './curve.ts';
import { type PublicKey, type SecretKey, Signature } from './keys.ts';

const DST = utf8ToBytes(DST_PROOF_OF_POSSESSION);

export function provePossession(secretKey: SecretKey): Signature {
  const pk = secretKey.toPublicKey();
  return Signature.fromPoint(hashToG2(pk.bytes, DST).multiply(secretKey.toScalar()));
}

export function verifyPossession(publicKey: PublicKey, proof: Signature): boolean {
  if (publicKey.point.is0() || proof.point.is0()) return false;
  return pairingProductIsOne([
    { g1: publicKey.point, g2: hashToG2(publicKey.bytes, DST) },
    { g1: NEG_G1_GENERATOR, g2: proof.point },
  ]);
}
