/**
 * @diva-dvt/dkg — Pedersen DKG (joint Feldman with proofs of knowledge and complaints), resharing and
 * batch ceremonies for Ethereum validators, as pure state machines. The public surface.
 */
export {
  type CeremonyConfig,
  checkConfig,
  type Participant,
  proofContext,
  type ReshareConfig,
  type ReshareValidator,
  transcriptHash,
} from './ceremony.ts';
export {
  createEncryptionKeyPair,
  decryptShare,
  type EncryptionKeyPair,
  encryptionPublicKey,
  encryptShare,
  type KeyAgreement,
  nobleX25519,
  type ShareCipherContext,
} from './encryption.ts';
export { DkgError, type DkgErrorCode, type DkgErrorDetails, isDkgError } from './errors.ts';
export {
  type Address,
  addressToHex,
  type CachingSignatureVerifier,
  createSecp256k1Signer,
  createSecp256k1Verifier,
  type OperatorSigner,
  type SignatureVerifier,
  secp256k1Verifier,
} from './identity.ts';
export { createDkgMember } from './member.ts';
export {
  ComplaintReason,
  ComplaintsBodyType,
  DealingBodyType,
  decodeBody,
  decodeEnvelope,
  type Envelope,
  EnvelopeType,
  envelopeSigningDigest,
  ForwardBodyType,
  JustificationBodyType,
  MAX_BODY_BYTES,
  MAX_MEMBERS,
  MAX_MESSAGE_BYTES,
  MAX_THRESHOLD,
  MAX_VALIDATORS,
  MESSAGE_VERSION,
  MessageKind,
  messageDigest,
  signEnvelope,
  TranscriptBodyType,
} from './messages.ts';
export { type ImportWithTrustedDealerParameters, importWithTrustedDealer } from './trusted-dealer.ts';
export type {
  CreateDkgMemberParameters,
  DkgEvent,
  DkgMember,
  DkgOutput,
  DkgPhase,
  DkgResult,
  EquivocationEvidence,
  OutgoingMessage,
  ValidatorOutput,
} from './types.ts';
export {
  bigintToBytes32,
  commitPolynomial,
  createPolynomial,
  decodeG1Uncompressed,
  encodeG1Uncompressed,
  evaluateCommitments,
  evaluatePolynomial,
  findInvalidShares,
  type ProofOfKnowledge,
  proveKnowledge,
  type ReceivedShare,
  verifyKnowledge,
  verifyShare,
} from './vss.ts';
