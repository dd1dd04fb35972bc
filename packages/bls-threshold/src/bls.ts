/**
 * `createBls`: the one object a node or a library user holds. It binds a backend (noble by default,
 * blst when handed in) to the standard BLS operations and to the threshold operations that need
 * verification (partial verify, batch verify of partials, robust combine).
 */
import type { BlsBackend, PreparedMessage } from './backend.ts';
import type { PartialSignature } from './combine.ts';
import type { PublicKey, SecretKey, Signature } from './keys.ts';
import { createNobleBackend } from './noble-backend.ts';
import { provePossession, verifyPossession } from './proof-of-possession.ts';
import type { RandomSource } from './random.ts';
import {
  type RobustCombineParameters,
  type RobustCombineReturnType,
  robustCombine,
} from './robust-combine.ts';
import type { SecretKeyShare } from './shamir.ts';

export interface CreateBlsOptions {
  /** Default: `createNobleBackend({ random })`. Pass `createBlstBackend(blst)` for native speed. */
  readonly backend?: BlsBackend;
  /** Randomness for the default backend's batch scalars (ignored when `backend` is given). */
  readonly random?: RandomSource;
}

/** A backend's operations (see `BlsBackend`) plus proofs of possession and threshold signing. */
export interface Bls extends BlsBackend {
  readonly backend: BlsBackend;
  /** PopProve (always on noble). */
  provePossession(secretKey: SecretKey): Signature;
  /** PopVerify (always on noble). */
  verifyPossession(publicKey: PublicKey, proof: Signature): boolean;
  /** A share holder's partial signature over a message. */
  signPartial(share: SecretKeyShare, message: Uint8Array): PartialSignature;
  /** Checks one partial against the signer's public share. */
  verifyPartial(
    publicShare: PublicKey,
    message: Uint8Array | PreparedMessage,
    partial: PartialSignature,
  ): boolean;
  /** Verifies, combines and checks; names the senders of invalid partials. See `robustCombine`. */
  robustCombine(parameters: RobustCombineParameters): RobustCombineReturnType;
}

export function createBls(options: CreateBlsOptions = {}): Bls {
  const backend =
    options.backend ?? createNobleBackend(options.random === undefined ? {} : { random: options.random });
  return {
    backend,
    name: backend.name,
    publicKeyFromBytes: backend.publicKeyFromBytes,
    signatureFromBytes: backend.signatureFromBytes,
    prepareMessage: backend.prepareMessage,
    sign: backend.sign,
    verify: backend.verify,
    aggregatePublicKeys: backend.aggregatePublicKeys,
    aggregateSignatures: backend.aggregateSignatures,
    fastAggregateVerify: backend.fastAggregateVerify,
    aggregateVerify: backend.aggregateVerify,
    verifyBatch: backend.verifyBatch,
    verifySameMessage: backend.verifySameMessage,
    provePossession,
    verifyPossession,
    signPartial: (share, message) => ({
      shareIndex: share.shareIndex,
      signature: backend.sign(share.secretKey, message),
    }),
    verifyPartial: (publicShare, message, partial) => backend.verify(publicShare, message, partial.signature),
    robustCombine: (parameters) => robustCombine(backend, parameters),
  };
}
