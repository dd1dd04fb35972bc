/**
 * Operator identity: one secp256k1 key per operator. Its Ethereum address is what the contracts
 * register and what names a participant here; every protocol message is signed with it, so a
 * misbehaviour signed on the p2p network can be proven on chain with `ecrecover`.
 *
 * The DKG only sees the `OperatorSigner` and `SignatureVerifier` interfaces (a runtime may keep the key
 * in a remote signer). `createSecp256k1Signer` and `secp256k1Verifier` are the reference
 * implementation: signature = r || s || v (65 bytes, v in {27, 28}, low s) by ECDSA over
 * sha256(message). A contract checks one with `ecrecover(sha256(message), v, r, s)` (the sha256
 * precompile); a runtime verifies it with OpenSSL (`@diva-dvt/dkg/node`), which knows SHA-256 but
 * not keccak256 — that is why the message hash is SHA-256 and only the address uses keccak256.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** An operator's 20-byte Ethereum address as raw bytes (`addressToHex` gives the checksum-free hex form). */
export type OperatorAddressBytes = Uint8Array;

export interface OperatorSigner {
  readonly address: OperatorAddressBytes;
  /** Signs `message`: ECDSA over sha256(message), 65 bytes r || s || v (v in {27, 28}, low s). */
  sign(message: Uint8Array): Uint8Array;
}

export interface SignatureVerifier {
  /** True iff `signature` over `message` was made by the key behind `address`. */
  verify(address: OperatorAddressBytes, message: Uint8Array, signature: Uint8Array): boolean;
}

export const SIGNATURE_LENGTH = 65;

export function addressOfPublicKey(uncompressedPublicKey: Uint8Array): OperatorAddressBytes {
  return keccak_256(uncompressedPublicKey.subarray(1)).subarray(12);
}

export function addressToHex(address: OperatorAddressBytes): `0x${string}` {
  return `0x${bytesToHex(address)}`;
}

export function createSecp256k1Signer(privateKey: Uint8Array): OperatorSigner {
  const address = addressOfPublicKey(secp256k1.getPublicKey(privateKey, false));
  return {
    address,
    sign(message) {
      const sig = secp256k1.sign(sha256(message), privateKey, { prehash: false, format: 'recovered' });
      // noble's recovered format is recovery || r || s; Ethereum's is r || s || (27 + recovery).
      const out = new Uint8Array(SIGNATURE_LENGTH);
      out.set(sig.subarray(1, 65), 0);
      out[64] = 27 + sig[0]!;
      return out;
    },
  };
}

type Point = ReturnType<typeof secp256k1.Point.fromBytes>;
const HALF_N = secp256k1.Point.Fn.ORDER >> 1n;

/** @internal */
export function isLowS(signature: Uint8Array): boolean {
  let s = 0n;
  for (const b of signature.subarray(32, 64)) s = (s << 8n) | BigInt(b);
  return s > 0n && s <= HALF_N;
}

/** @internal */
export function recoverPoint(digest: Uint8Array, signature: Uint8Array): Point | undefined {
  if (signature.length !== SIGNATURE_LENGTH || !isLowS(signature)) return undefined;
  const v = signature[64]!;
  if (v !== 27 && v !== 28) return undefined;
  const recovered = new Uint8Array(SIGNATURE_LENGTH);
  recovered[0] = v - 27;
  recovered.set(signature.subarray(0, 64), 1);
  try {
    return secp256k1.Point.fromBytes(secp256k1.recoverPublicKey(recovered, digest, { prehash: false }));
  } catch {
    return undefined;
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Stateless verifier (ecrecover): recovers the key from the signature and compares its address.
 * Only low-s signatures with v in {27, 28} are accepted, as Ethereum contracts require.
 */
export const secp256k1Verifier: SignatureVerifier = {
  verify(address, message, signature) {
    const point = recoverPoint(sha256(message), signature);
    return point !== undefined && sameBytes(addressOfPublicKey(point.toBytes(false)), address);
  },
};

/** A verifier that remembers the signers' keys. */
export interface CachingSignatureVerifier extends SignatureVerifier {
  /** Registers a signer's key ahead of time (e.g. from the operator registry); false if it does not match. */
  addKnownKey(address: OperatorAddressBytes, uncompressedPublicKey: Uint8Array): boolean;
}

/**
 * Verifier for a ceremony or a long-lived peer set: the first signature of an address is checked by
 * recovery (or its key is registered with `addKnownKey`); later signatures of that address are checked
 * by ECDSA verification against the kept key (noble's `verify`, which skips the square root recovery
 * needs). Accepts exactly what `secp256k1Verifier` accepts (low-s, v in {27, 28}).
 */
export function createSecp256k1Verifier(): CachingSignatureVerifier {
  const keys = new Map<string, Uint8Array>();
  return {
    addKnownKey(address, uncompressedPublicKey) {
      try {
        const bytes = secp256k1.Point.fromBytes(uncompressedPublicKey).toBytes(false);
        if (!sameBytes(addressOfPublicKey(bytes), address)) return false;
        keys.set(addressToHex(address), bytes);
        return true;
      } catch {
        return false;
      }
    },
    verify(address, message, signature) {
      if (address.length !== 20 || signature.length !== SIGNATURE_LENGTH) return false;
      const digest = sha256(message);
      const known = keys.get(addressToHex(address));
      if (!known) {
        const point = recoverPoint(digest, signature);
        if (!point) return false;
        const bytes = point.toBytes(false);
        if (!sameBytes(addressOfPublicKey(bytes), address)) return false;
        keys.set(addressToHex(address), bytes);
        return true;
      }
      const v = signature[64]!;
      if ((v !== 27 && v !== 28) || !isLowS(signature)) return false;
      try {
        return secp256k1.verify(signature.subarray(0, 64), digest, known, { prehash: false, lowS: true });
      } catch {
        return false;
      }
    },
  };
}
