// An operator's network identity: its secp256k1 key. The libp2p peer id is derived from the
// compressed public key (libp2p's secp256k1 peer ids embed it), and the operator address the
// contracts know is the Ethereum address of the same key: the last 20 bytes of
// keccak256(uncompressed public key without its 0x04 prefix) (Ethereum yellow paper, appendix F).
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { OperatorError } from '../errors.ts';
import { operatorAddressOf } from '../keys/identity.ts';

export { operatorAddressOf };

const SECRET_KEY_BYTES = 32;

/**
 * The 33-byte compressed secp256k1 public key of an operator's 32-byte secret key.
 * Throws `INVALID_OPTION` (option `privateKey`) when the bytes are not a valid secret key; the
 * message never contains the key.
 */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  if (privateKey.length !== SECRET_KEY_BYTES || !secp256k1.utils.isValidSecretKey(privateKey)) {
    throw new OperatorError({
      code: 'INVALID_OPTION',
      option: 'privateKey',
      reason: `expected a valid 32-byte secp256k1 secret key (got ${privateKey.length} bytes)`,
    });
  }
  return secp256k1.getPublicKey(privateKey, true);
}

/** The libp2p peer id of a 33-byte compressed secp256k1 public key. */
export function peerIdOfPublicKey(publicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKey));
}

/** The libp2p peer id (base58 text) of an operator's compressed secp256k1 public key: what a registered multiaddr ends in (`/p2p/<id>`). */
export function operatorPeerId(publicKey: Uint8Array): string {
  return peerIdOfPublicKey(publicKey).toString();
}
