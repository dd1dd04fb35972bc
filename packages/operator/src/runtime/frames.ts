// What operators send each other, one p2p message each: a kind byte, then
//   CONSENSUS (1): a consensus wire message (@diva-dvt/consensus; it names its instance);
//   PARTIAL   (2): instance [32] | signing root [32] | share index u16 | partial signature [96],
//                  for duties whose value is fixed (RANDAO reveal, selection proofs): no consensus,
//                  only the exchange of partial signatures.
//   COMBINED  (3): instance [32] | signing root [32] | group signature [96]: the designated
//                  combiner's result of such an exchange (the others check it instead of combining).
// Decoding never throws: it answers undefined for bytes that are not one of these.
import { sha256 } from '@noble/hashes/sha2.js';
import type { SigningDutyType } from '../errors.ts';

export const FRAME_CONSENSUS = 1;
export const FRAME_PARTIAL = 2;
export const FRAME_COMBINED = 3;

const PARTIAL_BYTES = 1 + 32 + 32 + 2 + 96;

export interface PartialFrame {
  readonly instance: Uint8Array;
  readonly root: Uint8Array;
  readonly shareIndex: number;
  readonly partial: Uint8Array;
}

export function encodePartialFrame(frame: PartialFrame): Uint8Array {
  const out = new Uint8Array(PARTIAL_BYTES);
  out[0] = FRAME_PARTIAL;
  out.set(frame.instance, 1);
  out.set(frame.root, 33);
  out[65] = frame.shareIndex >>> 8;
  out[66] = frame.shareIndex & 0xff;
  out.set(frame.partial, 67);
  return out;
}

export function decodePartialFrame(bytes: Uint8Array): PartialFrame | undefined {
  if (bytes.length !== PARTIAL_BYTES || bytes[0] !== FRAME_PARTIAL) return undefined;
  return {
    instance: bytes.subarray(1, 33),
    root: bytes.subarray(33, 65),
    shareIndex: (bytes[65]! << 8) | bytes[66]!,
    partial: bytes.subarray(67),
  };
}

const COMBINED_BYTES = 1 + 32 + 32 + 96;

export interface CombinedFrame {
  readonly instance: Uint8Array;
  readonly root: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeCombinedFrame(frame: CombinedFrame): Uint8Array {
  const out = new Uint8Array(COMBINED_BYTES);
  out[0] = FRAME_COMBINED;
  out.set(frame.instance, 1);
  out.set(frame.root, 33);
  out.set(frame.signature, 65);
  return out;
}

export function decodeCombinedFrame(bytes: Uint8Array): CombinedFrame | undefined {
  if (bytes.length !== COMBINED_BYTES || bytes[0] !== FRAME_COMBINED) return undefined;
  return { instance: bytes.subarray(1, 33), root: bytes.subarray(33, 65), signature: bytes.subarray(65) };
}

export function encodeConsensusFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 1);
  out[0] = FRAME_CONSENSUS;
  out.set(message, 1);
  return out;
}

const DUTY_CODES: Readonly<Record<SigningDutyType, number>> = {
  'randao-reveal': 1,
  block: 2,
  attestation: 3,
  'selection-proof': 4,
  aggregate: 5,
  'sync-committee-message': 6,
  'sync-committee-selection-proof': 7,
  'sync-committee-contribution': 8,
  'voluntary-exit': 9,
  'builder-registration': 10,
};

const TAG = new TextEncoder().encode('diva-duty/1');

/**
 * The 32-byte id of one duty of one validator: every member derives the same id from what the
 * duty fixes (validator, duty type, slot, sync subcommittee), so their instances find each other.
 */
export function dutyInstanceId(duty: {
  readonly groupPublicKey: Uint8Array;
  readonly type: SigningDutyType;
  readonly slot: number;
  readonly subcommitteeIndex?: number;
}): Uint8Array {
  const fields = new Uint8Array(1 + 8 + 2);
  const view = new DataView(fields.buffer);
  fields[0] = DUTY_CODES[duty.type];
  view.setBigUint64(1, BigInt(duty.slot));
  view.setUint16(9, duty.subcommitteeIndex ?? 0xffff);
  const input = new Uint8Array(TAG.length + duty.groupPublicKey.length + fields.length);
  input.set(TAG);
  input.set(duty.groupPublicKey, TAG.length);
  input.set(fields, TAG.length + duty.groupPublicKey.length);
  return sha256(input);
}
