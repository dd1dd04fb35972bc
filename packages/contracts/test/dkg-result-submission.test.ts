// The DKG-to-chain mapping (src/dkg-result-submission.ts) without a chain: a threshold key split with
// @diva-dvt/bls-threshold, a threshold deposit signature, and the contract's parameters checked against
// the uncompressed ZCash serialization @noble/curves writes (each coordinate re-padded to EIP-2537's 64
// bytes and G2's c0/c1 swapped), so the encoding is checked against a second source. The same mapping
// runs on chain in dkg-result, evidence and lifecycle tests (the contract verifies these points).
import {
  combinePartialSignatures,
  createBls,
  createSeededRandom,
  SecretKey,
  splitSecretKey,
} from '@diva-dvt/bls-threshold';
import { bls12_381 } from '@noble/curves/bls12-381.js';
import { bytesToHex, concatHex, type Hex, keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  createDkgResultSubmission,
  createEvidencePartialSignature,
  encodeG1ForPrecompile,
  encodeG2ForPrecompile,
  encodePublicShares,
  hashPublicShares,
} from '../src/dkg-result-submission.ts';
import { isDivaContractsError } from '../src/errors.ts';

const bls = createBls();
const random = createSeededRandom('dkg-result-submission.test');
const groupSecret = SecretKey.random(random);
const { shares: secretShares, publicShares } = splitSecretKey(groupSecret, {
  threshold: 3,
  shareCount: 5,
  random,
});
const groupPublicKey = groupSecret.toPublicKey().bytes;
const root = new Uint8Array(32).fill(7);
const partials = [1, 3, 5].map((i) => bls.signPartial(secretShares[i - 1]!, root));
const depositSignature = combinePartialSignatures(partials, { threshold: 3 }).bytes;

/** EIP-2537 form from noble's uncompressed (ZCash) bytes: 48-byte coordinates padded to 64. */
const pad = (chunk: Uint8Array) => `${'00'.repeat(16)}${bytesToHex(chunk).slice(2)}`;
function eip2537FromZcashG1(compressed: Uint8Array): Hex {
  const raw = bls12_381.G1.Point.fromBytes(compressed).toBytes(false); // x ‖ y
  return `0x${pad(raw.subarray(0, 48))}${pad(raw.subarray(48, 96))}`;
}
function eip2537FromZcashG2(compressed: Uint8Array): Hex {
  const raw = bls12_381.G2.Point.fromBytes(compressed).toBytes(false); // x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0
  const [xc1, xc0, yc1, yc0] = [0, 1, 2, 3].map((k) => raw.subarray(48 * k, 48 * (k + 1)));
  return `0x${pad(xc0!)}${pad(xc1!)}${pad(yc0!)}${pad(yc1!)}`;
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('createDkgResultSubmission', () => {
  it('maps a DKG output and a threshold deposit signature to submitDkgResult parameters', () => {
    const depositDataRoot: Hex = `0x${'ab'.repeat(32)}`;
    const submission = createDkgResultSubmission({
      drawId: 7n,
      groupPublicKey,
      publicShares: publicShares.map((s) => s.publicKey.bytes),
      depositSignature,
      depositDataRoot,
    });
    expect(submission).toEqual({
      drawId: 7n,
      pubkey: bytesToHex(groupPublicKey),
      publicShares: concatHex(publicShares.map((s) => bytesToHex(s.publicKey.bytes))),
      depositSignature: bytesToHex(depositSignature),
      depositSignaturePoint: eip2537FromZcashG2(depositSignature),
      depositDataRoot,
    });
    expect(submission.publicShares.length).toBe(2 + 5 * 96);
    expect(submission.depositSignaturePoint.length).toBe(2 + 512);
    // the signature the submission carries verifies under the group key it names
    expect(bls.verify(groupSecret.toPublicKey(), root, bls.signatureFromBytes(depositSignature))).toBe(true);
  });

  it('encodes G1 and G2 points as EIP-2537 reads them (128 and 256 bytes)', () => {
    expect(encodeG1ForPrecompile(groupPublicKey)).toBe(eip2537FromZcashG1(groupPublicKey));
    expect(encodeG1ForPrecompile(groupPublicKey).length).toBe(2 + 256);
    expect(encodeG2ForPrecompile(depositSignature)).toBe(eip2537FromZcashG2(depositSignature));
    expect(createEvidencePartialSignature(partials[0]!.signature.bytes)).toEqual({
      signature: bytesToHex(partials[0]!.signature.bytes),
      point: eip2537FromZcashG2(partials[0]!.signature.bytes),
    });
  });

  it('hashes the public shares as the approvals sign them (keccak256 of the concatenation)', () => {
    const shares = publicShares.map((s) => s.publicKey.bytes);
    expect(hashPublicShares(shares)).toBe(keccak256(encodePublicShares(shares)));
    expect(hashPublicShares(shares)).toBe(keccak256(concatHex(shares.map((s) => bytesToHex(s)))));
  });

  it('refuses a public share of the wrong length, naming its index', () => {
    const shares = publicShares.map((s) => s.publicKey.bytes);
    const error = thrown(() => encodePublicShares([shares[0]!, shares[1]!.subarray(0, 47)]));
    expect(isDivaContractsError(error, 'INVALID_LENGTH')).toBe(true);
    if (!isDivaContractsError(error, 'INVALID_LENGTH')) return;
    expect(error.details).toEqual({
      code: 'INVALID_LENGTH',
      field: 'publicShares',
      index: 1,
      expected: 48,
      actual: 47,
    });
    expect(error.shortMessage).toBe('publicShares[1]: expected 48 bytes, got 47');
  });

  it('refuses bytes that are not a point, and the point at infinity', () => {
    const notAPoint = new Uint8Array(48).fill(0xff);
    const error = thrown(() =>
      createDkgResultSubmission({
        drawId: 1n,
        groupPublicKey: notAPoint,
        publicShares: [groupPublicKey],
        depositSignature,
        depositDataRoot: `0x${'00'.repeat(32)}`,
      }),
    );
    expect(isDivaContractsError(error, 'INVALID_POINT')).toBe(true);
    expect((error as { details: unknown }).details).toMatchObject({ field: 'groupPublicKey' });
    expect((error as Error).cause).toBeDefined();

    const infinityG2 = new Uint8Array(96);
    infinityG2[0] = 0xc0;
    const atInfinity = thrown(() => encodeG2ForPrecompile(infinityG2));
    expect(isDivaContractsError(atInfinity, 'INVALID_POINT')).toBe(true);
    expect((atInfinity as { details: unknown }).details).toMatchObject({ reason: 'point at infinity' });
    expect(isDivaContractsError(atInfinity, 'INVALID_LENGTH')).toBe(false);
  });
});
