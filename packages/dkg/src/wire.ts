/**
 * @diva-dvt/dkg/wire — the DKG's wire format, for tools that build, inspect or forge messages
 * (known-answer vectors, test adversaries, debuggers): the signed envelope, the SSZ body types, the
 * share encryption, the proof-of-knowledge context and the uncompressed commitment encoding. A
 * runtime running ceremonies needs only the root entry point: members build and check messages
 * themselves. Re-exported by name.
 */
export { proofContext } from './ceremony.ts';
export { decryptShare, encryptShare, type ShareCipherContext } from './encryption.ts';
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
  MESSAGE_VERSION,
  MessageKind,
  messageDigest,
  signEnvelope,
  TranscriptBodyType,
} from './messages.ts';
export {
  decodeG1Uncompressed,
  encodeG1Uncompressed,
  type ProofOfKnowledge,
  proveKnowledge,
  verifyKnowledge,
} from './vss.ts';
