/**
 * The backend seam. Everything that signs or verifies goes through a `BlsBackend`, so a node can swap
 * the pure-TypeScript default (noble) for the native accelerator (blst) with one option, and get
 * byte-identical results. Scalar arithmetic (Shamir, Lagrange combination) has no native equivalent in
 * blst and always runs on noble, outside this interface.
 */
import { BlsError } from './errors.ts';
import type { ParseOptions, PublicKey, SecretKey, Signature } from './keys.ts';

/** One (public key, message, signature) triple of an independent batch. */
export interface SignatureSet {
  readonly publicKey: PublicKey;
  readonly message: Uint8Array;
  readonly signature: Signature;
}

/** A signature by one key over a message shared by the whole batch. */
export interface KeyedSignature {
  readonly publicKey: PublicKey;
  readonly signature: Signature;
}

/**
 * A message prepared for repeated verification. The noble backend hashes it to G2 once and keeps the
 * point here; blst hashes inside each call. Create with `backend.prepareMessage`.
 */
export interface PreparedMessage {
  readonly message: Uint8Array;
  /** Backend cache; opaque to callers. */
  cache?: unknown;
}

export interface BlsBackend {
  readonly name: 'noble' | 'blst';
  /** Parses and validates a public key (KeyValidate). Throws `BlsError` on bad input. */
  publicKeyFromBytes(bytes: Uint8Array, options?: ParseOptions): PublicKey;
  /** Parses and validates a signature (subgroup check). Throws `BlsError` on bad input. */
  signatureFromBytes(bytes: Uint8Array, options?: ParseOptions): Signature;
  /** Sign(SK, message) with the Ethereum POP ciphersuite. */
  sign(secretKey: SecretKey, message: Uint8Array): Signature;
  /** Verify(PK, message, signature). */
  verify(publicKey: PublicKey, message: Uint8Array | PreparedMessage, signature: Signature): boolean;
  /** Sum of public keys. Throws `EMPTY_INPUT` on an empty list. */
  aggregatePublicKeys(publicKeys: readonly PublicKey[]): PublicKey;
  /** Sum of signatures. Throws `EMPTY_INPUT` on an empty list. */
  aggregateSignatures(signatures: readonly Signature[]): Signature;
  /** FastAggregateVerify: many keys, one message, one aggregate signature (keys must have a PoP). */
  fastAggregateVerify(message: Uint8Array, publicKeys: readonly PublicKey[], signature: Signature): boolean;
  /** AggregateVerify: key i signed message i; one aggregate signature. */
  aggregateVerify(
    messages: readonly Uint8Array[],
    publicKeys: readonly PublicKey[],
    signature: Signature,
  ): boolean;
  /**
   * Verifies many independent sets at once by a random linear combination (64-bit random scalars):
   * true only if (with overwhelming probability) every set is valid. False for an empty list.
   */
  verifyBatch(sets: readonly SignatureSet[]): boolean;
  /**
   * Verifies many signatures over one message (for example partial signatures of many validators on
   * one attestation root): one hash to G2, two multi-scalar multiplications, one 2-pairing check.
   */
  verifySameMessage(message: Uint8Array | PreparedMessage, items: readonly KeyedSignature[]): boolean;
  /** Prepares a message for repeated verification (hash to G2 once on noble). */
  prepareMessage(message: Uint8Array): PreparedMessage;
}

/** AggregateVerify's input check: one message per key (throws `LENGTH_MISMATCH`). */
export function checkAggregateInputs(
  messages: readonly Uint8Array[],
  publicKeys: readonly PublicKey[],
): void {
  if (messages.length !== publicKeys.length) {
    throw new BlsError({
      code: 'LENGTH_MISMATCH',
      field: 'messages',
      expected: publicKeys.length,
      actual: messages.length,
    });
  }
}

export function asPrepared(
  backend: Pick<BlsBackend, 'prepareMessage'>,
  message: Uint8Array | PreparedMessage,
): PreparedMessage {
  return message instanceof Uint8Array ? backend.prepareMessage(message) : message;
}
