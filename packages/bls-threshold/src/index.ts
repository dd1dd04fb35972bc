/**
 * @diva-dvt/bls-threshold — Ethereum BLS12-381 (POP ciphersuite) with threshold signing.
 * The public surface, re-exported by name.
 */
export type { BlsBackend, KeyedSignature, PreparedMessage, SignatureSet } from './backend.ts';
export { type Bls, type CreateBlsOptions, createBls } from './bls.ts';
export {
  type BlstModule,
  type BlstPublicKeyHandle,
  type BlstSecretKeyHandle,
  type BlstSignatureHandle,
  createBlstBackend,
} from './blst-backend.ts';
export {
  type CombineOptions,
  combinePartialSignatures,
  combinePublicShares,
  type PartialSignature,
} from './combine.ts';
export {
  CURVE_ORDER,
  DST_PROOF_OF_POSSESSION,
  DST_SIGNATURE,
  PUBLIC_KEY_LENGTH,
  SECRET_KEY_LENGTH,
  SIGNATURE_LENGTH,
} from './constants.ts';
export type { G1Point, G2Point } from './curve.ts';
export {
  deriveChildSecretKey,
  deriveMasterSecretKey,
  deriveSecretKeyFromPath,
  parseDerivationPath,
  signingKeyPath,
  withdrawalKeyPath,
} from './eip2333.ts';
export { g1ToEip2537, g2ToEip2537 } from './eip2537.ts';
export {
  BlsError,
  type BlsErrorCode,
  type BlsErrorDetails,
  type BlsErrorLocation,
  isBlsError,
} from './errors.ts';
export { type Hex, type ParseOptions, PublicKey, SecretKey, Signature } from './keys.ts';
export { createNobleBackend, type NobleBackendOptions } from './noble-backend.ts';
export { provePossession, verifyPossession } from './proof-of-possession.ts';
export { createSeededRandom, defaultRandom, type RandomSource } from './random.ts';
export {
  type RobustCombineParameters,
  type RobustCombineReturnType,
  robustCombine,
} from './robust-combine.ts';
export {
  evaluateCommitments,
  evaluatePolynomial,
  lagrangeCoefficientsAtZero,
  lagrangeIntegerForm,
  type PublicShare,
  publicShareOf,
  recoverSecretKey,
  type SecretKeyShare,
  type SplitSecretKeyParameters,
  type SplitSecretKeyReturnType,
  splitSecretKey,
} from './shamir.ts';
export {
  type CreateThresholdSchemeParameters,
  createThresholdScheme,
  type ThresholdScheme,
} from './threshold-scheme.ts';
