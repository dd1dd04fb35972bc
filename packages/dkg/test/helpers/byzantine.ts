// Building blocks for Byzantine members: hand-made dealings, justifications and complaints, signed
// with the faulty member's own key (so they pass authentication, as a real attacker's would).
import { createSeededRandom, evaluatePolynomial } from '@diva-dvt/bls-threshold';
import { commitPolynomial, createPolynomial } from '@diva-dvt/bls-threshold/math';
import { x25519 } from '@noble/curves/ed25519.js';
import type { CeremonyConfig } from '../../src/index.ts';
import {
  ComplaintsBodyType,
  DealingBodyType,
  decodeEnvelope,
  encodeG1Uncompressed,
  encryptShare,
  JustificationBodyType,
  MessageKind,
  proofContext,
  proveKnowledge,
  signEnvelope,
} from '../../src/wire.ts';
import type { Operator } from './network.ts';

/** A scalar as 32 big-endian bytes (the wire form of a share). */
function u32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
const uncompressed = encodeG1Uncompressed;

export interface CraftOptions {
  readonly seed: string;
  /** Replace the share sent to recipient position j (1-based) for validator v. */
  readonly shareFor?: (recipient: number, validator: number, honest: bigint) => bigint;
  /** Replace a recipient's whole ciphertext (e.g. with garbage). */
  readonly ciphertextFor?: (recipient: number, honest: Uint8Array) => Uint8Array;
  /** Corrupt the proof of knowledge. */
  readonly badProof?: boolean;
}

export interface CraftedDealing {
  readonly envelope: Uint8Array;
  readonly polynomials: bigint[][];
}

export function craftDealing(config: CeremonyConfig, op: Operator, options: CraftOptions): CraftedDealing {
  const random = createSeededRandom(options.seed);
  const polynomials: bigint[][] = [];
  const validators = [];
  for (let v = 0; v < config.validatorCount; v++) {
    const poly = createPolynomial(config.threshold, random);
    polynomials.push(poly);
    const proof = proveKnowledge(poly[0]!, proofContext(config.ceremonyId, op.signer.address, v), random);
    validators.push({
      commitments: commitPolynomial(poly).map(uncompressed),
      proofCommitment: uncompressed(proof.commitment),
      proofResponse: u32(options.badProof ? proof.response ^ 1n : proof.response),
    });
  }
  const eph = random(32);
  const ciphertexts = config.recipients.map((r, j) => {
    const pt = new Uint8Array(32 * config.validatorCount);
    polynomials.forEach((p, v) => {
      const honest = evaluatePolynomial(p, j + 1);
      pt.set(u32(options.shareFor ? options.shareFor(j + 1, v, honest) : honest), 32 * v);
    });
    const ct = encryptShare(eph, r.encryptionKey, pt, {
      ceremonyId: config.ceremonyId,
      dealer: op.signer.address,
      recipient: r.address,
    });
    return options.ciphertextFor ? options.ciphertextFor(j + 1, ct) : ct;
  });
  const body = DealingBodyType.serialize({ ephemeralKey: x25519.getPublicKey(eph), validators, ciphertexts });
  return { envelope: signEnvelope(op.signer, config.ceremonyId, MessageKind.Dealing, body), polynomials };
}

export function craftJustification(
  config: CeremonyConfig,
  op: Operator,
  reveals: { recipient: number; shares: bigint[] }[],
): Uint8Array {
  const body = JustificationBodyType.serialize({
    reveals: reveals.map((r) => ({ recipient: r.recipient, shares: r.shares.map(u32) })),
  });
  return signEnvelope(op.signer, config.ceremonyId, MessageKind.Justification, body);
}

export function craftComplaints(
  config: CeremonyConfig,
  op: Operator,
  digests: Uint8Array[],
  against: { dealer: number; reason: number }[],
): Uint8Array {
  const body = ComplaintsBodyType.serialize({ digests, complaints: against });
  return signEnvelope(op.signer, config.ceremonyId, MessageKind.Complaints, body);
}

export function kindOf(bytes: Uint8Array): number | undefined {
  try {
    return decodeEnvelope(bytes).kind;
  } catch {
    return undefined;
  }
}
