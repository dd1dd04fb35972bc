/**
 * Wire format of the DKG: SSZ (@chainsafe/ssz) with a version byte, hard size caps and a signed
 * envelope. Every message is
 *
 *   Envelope { version: uint8, ceremonyId: Bytes32, sender: Bytes20, kind: uint8, body: ByteList, signature: Bytes65 }
 *
 * where `signature` is the sender's operator signature over
 * sha256("diva-dkg/envelope/v1" || version || ceremonyId || sender || kind || body). Bodies are SSZ
 * containers per kind. Decoding never trusts a length it has not capped first.
 */
import {
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  UintNumberType,
} from '@chainsafe/ssz';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { DkgError } from './errors.ts';
import type { OperatorSigner } from './identity.ts';

export const MESSAGE_VERSION = 1;
/** Largest committee (dealers or recipients) a message can describe. */
export const MAX_MEMBERS = 64;
/** Largest threshold (polynomial degree + 1). */
export const MAX_THRESHOLD = 64;
/** Most validators one ceremony creates. */
export const MAX_VALIDATORS = 128;
/** Largest body of any message. A 16-member, t = 11, k = 128 dealing is about 210 KB. */
export const MAX_BODY_BYTES = 1_600_000;
/** Largest envelope on the wire. */
export const MAX_MESSAGE_BYTES = MAX_BODY_BYTES + 256;

export const MessageKind = {
  Dealing: 1,
  Complaints: 2,
  Justification: 3,
  Forward: 4,
  Transcript: 5,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];
export const KIND_NAMES: Record<number, string> = {
  1: 'dealing',
  2: 'complaints',
  3: 'justification',
  4: 'forward',
  5: 'transcript',
};

const uint8 = new UintNumberType(1);
const uint16 = new UintNumberType(2);
const Bytes20 = new ByteVectorType(20);
const Bytes32 = new ByteVectorType(32);
const Bytes65 = new ByteVectorType(65);
const Bytes96 = new ByteVectorType(96);

export const EnvelopeType = new ContainerType({
  version: uint8,
  ceremonyId: Bytes32,
  sender: Bytes20,
  kind: uint8,
  body: new ByteListType(MAX_BODY_BYTES),
  signature: Bytes65,
});

export const ValidatorDealingType = new ContainerType({
  /** C_0..C_{t-1}, uncompressed G1. */
  commitments: new ListCompositeType(Bytes96, MAX_THRESHOLD),
  /** Proof of knowledge of a_0: R (uncompressed G1) and z. */
  proofCommitment: Bytes96,
  proofResponse: Bytes32,
});

export const DealingBodyType = new ContainerType({
  ephemeralKey: Bytes32,
  validators: new ListCompositeType(ValidatorDealingType, MAX_VALIDATORS),
  /** One ciphertext per recipient, in committee order: k shares of 32 bytes + 16-byte tag. */
  ciphertexts: new ListCompositeType(new ByteListType(MAX_VALIDATORS * 32 + 16), MAX_MEMBERS),
});

export const ComplaintReason = { Missing: 1, BadShare: 2 } as const;

export const ComplaintsBodyType = new ContainerType({
  /** Digest of the dealing received from each dealer (dealer order); zero bytes when none. */
  digests: new ListCompositeType(Bytes32, MAX_MEMBERS),
  complaints: new ListCompositeType(new ContainerType({ dealer: uint16, reason: uint8 }), MAX_MEMBERS),
});

export const JustificationBodyType = new ContainerType({
  /** Shares revealed in clear for each complaining recipient (1-based position). */
  reveals: new ListCompositeType(
    new ContainerType({ recipient: uint16, shares: new ListCompositeType(Bytes32, MAX_VALIDATORS) }),
    MAX_MEMBERS,
  ),
});

export const ForwardBodyType = new ContainerType({
  /** A dealer's signed dealing envelope, relayed to members that lack it or hold another version. */
  envelope: new ByteListType(MAX_BODY_BYTES - 8),
});

export const TranscriptBodyType = new ContainerType({
  transcriptHash: Bytes32,
  qualified: new ListBasicType(uint16, MAX_MEMBERS),
  digests: new ListCompositeType(Bytes32, MAX_MEMBERS),
});

export interface Envelope {
  readonly version: number;
  readonly ceremonyId: Uint8Array;
  readonly sender: Uint8Array;
  readonly kind: number;
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

const ENVELOPE_DST = utf8ToBytes('diva-dkg/envelope/v1');

/** The 32 bytes an envelope's signature covers. */
export function envelopeSigningDigest(e: Omit<Envelope, 'signature'>): Uint8Array {
  return sha256(
    concatBytes(
      ENVELOPE_DST,
      Uint8Array.of(e.version),
      e.ceremonyId,
      e.sender,
      Uint8Array.of(e.kind),
      e.body,
    ),
  );
}

export function signEnvelope(
  signer: OperatorSigner,
  ceremonyId: Uint8Array,
  kind: MessageKind,
  body: Uint8Array,
): Uint8Array {
  const unsigned = { version: MESSAGE_VERSION, ceremonyId, sender: signer.address, kind, body };
  const signature = signer.sign(envelopeSigningDigest(unsigned));
  return EnvelopeType.serialize({ ...unsigned, signature });
}

/** Decodes an envelope's outer layer: size, version, SSZ shape. Signature and sender are checked by the member. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  if (!(bytes instanceof Uint8Array)) throw new DkgError({ code: 'MALFORMED_MESSAGE', reason: 'not bytes' });
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new DkgError({ code: 'OVERSIZED_MESSAGE', size: bytes.length, limit: MAX_MESSAGE_BYTES });
  }
  if (bytes.length === 0) throw new DkgError({ code: 'MALFORMED_MESSAGE', reason: 'empty' });
  if (bytes[0] !== MESSAGE_VERSION) throw new DkgError({ code: 'UNSUPPORTED_VERSION', version: bytes[0]! });
  let e: Envelope;
  try {
    e = EnvelopeType.deserialize(bytes);
  } catch (err) {
    throw new DkgError({ code: 'MALFORMED_MESSAGE', reason: (err as Error).message }, { cause: err });
  }
  if (!KIND_NAMES[e.kind])
    throw new DkgError({ code: 'MALFORMED_MESSAGE', reason: `unknown kind ${e.kind}` });
  return e;
}

/** Decodes a body of the given kind, turning SSZ failures into `MALFORMED_MESSAGE`. */
export function decodeBody<T>(type: { deserialize(b: Uint8Array): T }, body: Uint8Array, kind: number): T {
  try {
    return type.deserialize(body);
  } catch (err) {
    throw new DkgError(
      { code: 'MALFORMED_MESSAGE', reason: (err as Error).message, kind: KIND_NAMES[kind] ?? String(kind) },
      { cause: err },
    );
  }
}

/**
 * Digest that identifies one signed message (replay detection, echoes, transcripts): the digest its
 * signature covers, not a hash of the envelope bytes. ECDSA signatures are malleable (the signer can
 * make several for one content; a caching verifier that knows the key does not check `v`), so two
 * envelopes with the same signed content are the same message — never "equivocation".
 */
export function messageDigest(envelopeBytes: Uint8Array): Uint8Array {
  return envelopeSigningDigest(EnvelopeType.deserialize(envelopeBytes));
}

export function hex(bytes: Uint8Array): `0x${string}` {
  return `0x${bytesToHex(bytes)}`;
}
