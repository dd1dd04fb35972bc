/**
 * Turning received bytes into authenticated, validated protocol inputs: the envelope's ceremony,
 * sender role and signature, and the shape of each body kind. Everything here throws `DkgError`s,
 * which the member reports as `dropped` events.
 */
import type { Participant } from '../ceremony.ts';
import { DkgError } from '../errors.ts';
import { addressToHex, type SignatureVerifier } from '../identity.ts';
import {
  ComplaintsBodyType,
  decodeBody,
  decodeEnvelope,
  type Envelope,
  envelopeSigningDigest,
  JustificationBodyType,
  KIND_NAMES,
  TranscriptBodyType,
} from '../messages.ts';
import { bytesToBigint } from '../vss.ts';

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export function positionIn(list: readonly Participant[], address: Uint8Array): number | undefined {
  const i = list.findIndex((p) => equal(p.address, address));
  return i < 0 ? undefined : i + 1;
}

export interface Authenticated {
  readonly env: Envelope;
  /** 1-based dealer position, when the sender deals. */
  readonly dealer?: number;
  /** 1-based recipient position (share index), when the sender receives shares. */
  readonly recipient?: number;
}

export function createAuthenticator(
  ceremonyId: Uint8Array,
  dealers: readonly Participant[],
  recipients: readonly Participant[],
  verifier: SignatureVerifier,
): (bytes: Uint8Array) => Authenticated {
  return (bytes) => {
    const env = decodeEnvelope(bytes);
    if (!equal(env.ceremonyId, ceremonyId)) {
      throw new DkgError({ code: 'WRONG_CEREMONY', ceremonyId: addressToHex(env.ceremonyId) });
    }
    const dealer = positionIn(dealers, env.sender);
    const recipient = positionIn(recipients, env.sender);
    const sender = addressToHex(env.sender);
    if (dealer === undefined && recipient === undefined)
      throw new DkgError({ code: 'UNKNOWN_SENDER', sender });
    if (!verifier.verify(env.sender, envelopeSigningDigest(env), env.signature)) {
      throw new DkgError({ code: 'BAD_SIGNATURE', sender, kind: KIND_NAMES[env.kind]! });
    }
    return {
      env,
      ...(dealer === undefined ? {} : { dealer }),
      ...(recipient === undefined ? {} : { recipient }),
    };
  };
}

export function unexpectedMessage(env: Envelope, reason: string): DkgError {
  return new DkgError({
    code: 'UNEXPECTED_MESSAGE',
    sender: addressToHex(env.sender),
    kind: KIND_NAMES[env.kind] ?? String(env.kind),
    reason,
  });
}

export function readComplaints(
  env: Envelope,
  dealerCount: number,
): { digests: Uint8Array[]; complaints: { dealer: number; reason: number }[] } {
  const body = decodeBody(ComplaintsBodyType, env.body, env.kind);
  if (body.digests.length !== dealerCount) throw unexpectedMessage(env, `expected ${dealerCount} digests`);
  for (const c of body.complaints) {
    if (c.dealer < 1 || c.dealer > dealerCount || (c.reason !== 1 && c.reason !== 2)) {
      throw unexpectedMessage(env, `bad complaint entry (dealer ${c.dealer}, reason ${c.reason})`);
    }
  }
  return body;
}

export function readReveals(
  env: Envelope,
  recipientCount: number,
  validatorCount: number,
): { recipient: number; shares: bigint[] }[] {
  const body = decodeBody(JustificationBodyType, env.body, env.kind);
  return body.reveals.map((r) => {
    if (r.recipient < 1 || r.recipient > recipientCount || r.shares.length !== validatorCount) {
      throw unexpectedMessage(env, `bad reveal entry (recipient ${r.recipient})`);
    }
    return { recipient: r.recipient, shares: r.shares.map(bytesToBigint) };
  });
}

export function readTranscript(env: Envelope): {
  hash: Uint8Array;
  qualified: number[];
  digests: Uint8Array[];
} {
  const body = decodeBody(TranscriptBodyType, env.body, env.kind);
  return { hash: body.transcriptHash, qualified: body.qualified, digests: body.digests };
}
