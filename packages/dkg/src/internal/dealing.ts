/**
 * Making and checking one dealer's dealing (all k validators of the ceremony in one message).
 */
import { evaluatePolynomial, type G1Point, type RandomSource } from '@diva-dvt/bls-threshold';
import { commitPolynomial, createPolynomial } from '@diva-dvt/bls-threshold/math';
import { type CeremonyConfig, proofContext } from '../ceremony.ts';
import { decryptShare, encryptShare, type KeyAgreement, nobleX25519 } from '../encryption.ts';
import { DealingBodyType, decodeBody, MessageKind } from '../messages.ts';
import {
  bigintToBytes32,
  bytesToBigint,
  decodeG1Uncompressed,
  encodeG1Uncompressed,
  type ProofStatement,
  proveKnowledge,
} from '../vss.ts';

export interface OwnDealing {
  /** Per validator, the polynomial's coefficients (secret). */
  readonly polynomials: readonly bigint[][];
  readonly body: Uint8Array;
}

export function createDealingBody(
  config: CeremonyConfig,
  dealer: Uint8Array,
  random: RandomSource,
  constants?: readonly bigint[],
  keyAgreement: KeyAgreement = nobleX25519,
): OwnDealing {
  const polynomials: bigint[][] = [];
  const validators = [];
  for (let v = 0; v < config.validatorCount; v++) {
    const poly = createPolynomial(config.threshold, random, constants?.[v]);
    polynomials.push(poly);
    const commitments = commitPolynomial(poly);
    const proof = proveKnowledge(poly[0]!, proofContext(config.ceremonyId, dealer, v), random);
    validators.push({
      commitments: commitments.map(encodeG1Uncompressed),
      proofCommitment: encodeG1Uncompressed(proof.commitment),
      proofResponse: bigintToBytes32(proof.response),
    });
  }
  const ephemeral = random(32);
  const ciphertexts = config.recipients.map((recipient, j) => {
    const plaintext = new Uint8Array(32 * config.validatorCount);
    for (const [v, poly] of polynomials.entries())
      plaintext.set(bigintToBytes32(evaluatePolynomial(poly, j + 1)), 32 * v);
    const ct = encryptShare(
      ephemeral,
      recipient.encryptionKey,
      plaintext,
      {
        ceremonyId: config.ceremonyId,
        dealer,
        recipient: recipient.address,
      },
      keyAgreement,
    );
    plaintext.fill(0);
    return ct;
  });
  const body = DealingBodyType.serialize({
    ephemeralKey: keyAgreement.publicKey(ephemeral),
    validators,
    ciphertexts,
  });
  ephemeral.fill(0);
  return { polynomials, body };
}

export interface ParsedDealing {
  /** Per validator, C_0..C_{t-1}. */
  readonly commitments: readonly G1Point[][];
  /** Proofs of knowledge, one per validator; checked in batches by the member (`findInvalidProofs`). */
  readonly proofs: readonly ProofStatement[];
  readonly ephemeralKey: Uint8Array;
  readonly ciphertexts: readonly Uint8Array[];
}

/**
 * Decodes and checks a dealing body: shape, points on the curve, and for resharing that each C_0
 * equals the dealer's known public share. Proofs of knowledge are returned for batch checking. Returns a reason string when the
 * dealing is invalid (the dealer signed it, so it is the dealer's fault).
 */
export function parseDealing(
  config: CeremonyConfig,
  dealer: Uint8Array,
  dealerPosition: number,
  body: Uint8Array,
): ParsedDealing | { invalid: string } {
  const decoded = decodeBody(DealingBodyType, body, MessageKind.Dealing);
  if (decoded.validators.length !== config.validatorCount) {
    return { invalid: `expected ${config.validatorCount} validators, got ${decoded.validators.length}` };
  }
  if (decoded.ciphertexts.length !== config.recipients.length) {
    return { invalid: `expected ${config.recipients.length} ciphertexts, got ${decoded.ciphertexts.length}` };
  }
  const commitments: G1Point[][] = [];
  const proofs: ProofStatement[] = [];
  for (let v = 0; v < decoded.validators.length; v++) {
    const vd = decoded.validators[v]!;
    if (vd.commitments.length !== config.threshold) {
      return {
        invalid: `validator ${v}: expected ${config.threshold} commitments, got ${vd.commitments.length}`,
      };
    }
    const points: G1Point[] = [];
    for (const c of vd.commitments) {
      const p = decodeG1Uncompressed(c);
      if (!p) return { invalid: `validator ${v}: commitment not on the curve` };
      points.push(p);
    }
    const R = decodeG1Uncompressed(vd.proofCommitment);
    if (!R) return { invalid: `validator ${v}: proof commitment not on the curve` };
    proofs.push({
      c0: points[0]!,
      proof: { commitment: R, response: bytesToBigint(vd.proofResponse) },
      context: proofContext(config.ceremonyId, dealer, v),
    });
    const expected = config.reshare?.validators[v]?.publicShares[dealerPosition - 1];
    if (expected && !expected.point.equals(points[0]!)) {
      return { invalid: `validator ${v}: constant term is not the dealer's public share` };
    }
    commitments.push(points);
  }
  return { commitments, proofs, ephemeralKey: decoded.ephemeralKey, ciphertexts: decoded.ciphertexts };
}

/** Opens this member's shares (k scalars) of a dealing; undefined when the ciphertext does not open. */
export function openShares(
  config: CeremonyConfig,
  dealing: ParsedDealing,
  dealer: Uint8Array,
  recipientPosition: number,
  encryptionSecretKey: Uint8Array,
  keyAgreement: KeyAgreement = nobleX25519,
): bigint[] | undefined {
  const recipient = config.recipients[recipientPosition - 1]!;
  const plaintext = decryptShare(
    encryptionSecretKey,
    dealing.ephemeralKey,
    dealing.ciphertexts[recipientPosition - 1]!,
    {
      ceremonyId: config.ceremonyId,
      dealer,
      recipient: recipient.address,
    },
    keyAgreement,
  );
  if (!plaintext || plaintext.length !== 32 * config.validatorCount) return undefined;
  const shares: bigint[] = [];
  for (let v = 0; v < config.validatorCount; v++)
    shares.push(bytesToBigint(plaintext.subarray(32 * v, 32 * v + 32)));
  plaintext.fill(0);
  return shares;
}
