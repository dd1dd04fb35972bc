// The DKG-to-chain mapping: what a committee's DKG ceremony produced (group public key, public shares,
// the threshold-signed deposit) turned into the parameters DkgResultRegistry.submitDkgResult,
// recordReshare and the evidence contract take. Inputs are plain bytes (the compressed BLS12-381
// serialization Ethereum uses), so this package does not depend on @diva-dvt/dkg. Every point is
// decoded and checked (on the curve, in the subgroup, not the identity) before it is encoded: the
// uncompressed form the contracts verify with the EIP-2537 precompiles is 128 bytes for G1 and 256
// bytes for G2 (each Fp element padded to 64 bytes).
import { bytesToHex, concatHex, type Hex, keccak256 } from 'viem';
import { DivaContractsError } from './errors.ts';
import {
  decodeG1,
  decodeG2,
  encodeG1Point,
  encodeG2Point,
  type G1Point,
  type G2Point,
} from './internal/eip2537.ts';

/** What a committee submits for its draw once its DKG ceremony is done (`submitDkgResult`'s first argument). */
export type DkgResultSubmission = {
  drawId: bigint;
  /** The validator's group public key, 48-byte compressed G1. */
  pubkey: Hex;
  /** The n public shares, 48 bytes each, in share index order (n x 48 bytes). */
  publicShares: Hex;
  /** The threshold BLS signature over the 1 ETH DepositMessage, 96-byte compressed G2. */
  depositSignature: Hex;
  /** The same signature uncompressed (256 bytes, EIP-2537 encoding); the contract checks it matches. */
  depositSignaturePoint: Hex;
  /** The 1 ETH deposit's data root (`preDepositDataRoot(pubkey, depositSignature)` of the registry). */
  depositDataRoot: Hex;
};

export type CreateDkgResultSubmissionParameters = {
  drawId: bigint;
  /** The group public key (48-byte compressed G1). */
  groupPublicKey: Uint8Array;
  /** The n public shares (48-byte compressed G1 each), share index 1 first. */
  publicShares: readonly Uint8Array[];
  /** The threshold signature over the registry's `preDepositSigningRoot(pubkey)` (96-byte compressed G2). */
  depositSignature: Uint8Array;
  /** The registry's `preDepositDataRoot(pubkey, depositSignature)`. */
  depositDataRoot: Hex;
};

/** A partial BLS signature as the evidence contract takes it: 96-byte compressed G2 and its EIP-2537 form. */
export type EvidencePartialSignature = { signature: Hex; point: Hex };

function g1(field: string, bytes: Uint8Array, index?: number): G1Point {
  const where = index === undefined ? { field } : { field, index };
  if (bytes.length !== 48)
    throw new DivaContractsError({ code: 'INVALID_LENGTH', ...where, expected: 48, actual: bytes.length });
  let point: G1Point;
  try {
    point = decodeG1(bytes);
  } catch (cause) {
    throw new DivaContractsError({ code: 'INVALID_POINT', ...where, reason: 'not a G1 point' }, { cause });
  }
  if (point.is0())
    throw new DivaContractsError({ code: 'INVALID_POINT', ...where, reason: 'point at infinity' });
  return point;
}

function g2(field: string, bytes: Uint8Array): G2Point {
  if (bytes.length !== 96)
    throw new DivaContractsError({ code: 'INVALID_LENGTH', field, expected: 96, actual: bytes.length });
  let point: G2Point;
  try {
    point = decodeG2(bytes);
  } catch (cause) {
    throw new DivaContractsError({ code: 'INVALID_POINT', field, reason: 'not a G2 point' }, { cause });
  }
  if (point.is0())
    throw new DivaContractsError({ code: 'INVALID_POINT', field, reason: 'point at infinity' });
  return point;
}

/** The 128-byte EIP-2537 encoding of a 48-byte compressed G1 point (a public key or share). */
export function encodeG1ForPrecompile(compressed: Uint8Array): Hex {
  return encodeG1Point(g1('compressed', compressed));
}

/** The 256-byte EIP-2537 encoding of a 96-byte compressed G2 point (a signature). */
export function encodeG2ForPrecompile(compressed: Uint8Array): Hex {
  return encodeG2Point(g2('compressed', compressed));
}

/** The n public shares as the contracts take them: 48 bytes each, concatenated in share index order. */
export function encodePublicShares(publicShares: readonly Uint8Array[]): Hex {
  if (publicShares.length === 0)
    throw new DivaContractsError({ code: 'INVALID_LENGTH', field: 'publicShares', expected: 48, actual: 0 });
  for (const [index, share] of publicShares.entries()) g1('publicShares', share, index);
  return concatHex(publicShares.map((share) => bytesToHex(share)));
}

/** keccak256 of the encoded public shares: the `publicSharesHash` that DKG and reshare approvals sign. */
export function hashPublicShares(publicShares: readonly Uint8Array[]): Hex {
  return keccak256(encodePublicShares(publicShares));
}

/** `submitDkgResult`'s first argument from a DKG ceremony's output and the threshold-signed deposit. */
export function createDkgResultSubmission(
  parameters: CreateDkgResultSubmissionParameters,
): DkgResultSubmission {
  g1('groupPublicKey', parameters.groupPublicKey);
  const publicShares = encodePublicShares(parameters.publicShares);
  const depositSignaturePoint = encodeG2Point(g2('depositSignature', parameters.depositSignature));
  return {
    drawId: parameters.drawId,
    pubkey: bytesToHex(parameters.groupPublicKey),
    publicShares,
    depositSignature: bytesToHex(parameters.depositSignature),
    depositSignaturePoint,
    depositDataRoot: parameters.depositDataRoot,
  };
}

/** A share's partial signature (96-byte compressed G2) in the form the evidence contract takes. */
export function createEvidencePartialSignature(signature: Uint8Array): EvidencePartialSignature {
  return { signature: bytesToHex(signature), point: encodeG2Point(g2('signature', signature)) };
}
