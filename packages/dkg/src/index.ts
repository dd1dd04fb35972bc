/**
 * @diva-dvt/dkg — Pedersen DKG (joint Feldman with proofs of knowledge and complaints), resharing and
 * batch ceremonies for Ethereum validators, as pure state machines. The public surface.
 */
export {
  type CeremonyConfig,
  checkConfig,
  type Participant,
  type ReshareConfig,
  type ReshareValidator,
  transcriptHash,
} from './ceremony.ts';
export {
  createEncryptionKeyPair,
  type EncryptionKeyPair,
  encryptionPublicKey,
  type KeyAgreement,
  nobleX25519,
} from './encryption.ts';
export { DkgError, type DkgErrorCode, type DkgErrorDetails, isDkgError } from './errors.ts';
export {
  addressToHex,
  type CachingSignatureVerifier,
  createSecp256k1Signer,
  createSecp256k1Verifier,
  type OperatorAddressBytes,
  type OperatorSigner,
  type SignatureVerifier,
  secp256k1Verifier,
} from './identity.ts';
export { createDkgMember } from './member.ts';
export { MAX_MEMBERS, MAX_MESSAGE_BYTES, MAX_THRESHOLD, MAX_VALIDATORS } from './messages.ts';
export { type ImportWithTrustedDealerParameters, importWithTrustedDealer } from './trusted-dealer.ts';
export type {
  CreateDkgMemberParameters,
  DkgEvent,
  DkgMember,
  DkgOutgoingMessage,
  DkgOutput,
  DkgPhase,
  DkgResult,
  EquivocationEvidence,
  ValidatorOutput,
} from './types.ts';
