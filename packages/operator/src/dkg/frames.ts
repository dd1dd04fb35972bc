// The DKG ceremony's messages on the operator network: frame kind 0x10 (the committee signer uses
// 1-4; a ceremony runs in its own process, where no committee signer listens), then a type byte.
//
//   hello   = 0x10 0x00 ceremonyFileDigest:32 encryptionKey:32 nonce:8 [flags:1]
//                                                      flags bit 0: the sender deals nothing (an old
//                                                      member that lost its shares); absent: 0
//   dkg     = 0x10 0x01 envelope                       a @diva-dvt/dkg signed envelope, as is
//   deposit = 0x10 0x02 transcriptHash:32 shareIndex:u16be signature:96 × validators
//   confirm = 0x10 0x03 (the deposit layout)           resharing: each new member's partials over
//                                                      the confirmation roots (./reshare.ts)
//
// The network authenticates the sender of every message (Noise with the operator key), so a hello
// needs no signature of its own. The nonce makes a repeated hello new bytes (the network drops
// exact replays).

export const FRAME_DKG = 0x10;
const HELLO = 0;
const DKG = 1;
const DEPOSIT = 2;
const CONFIRM = 3;

export type DkgFrame =
  | {
      readonly type: 'hello';
      readonly ceremonyDigest: Uint8Array;
      readonly encryptionKey: Uint8Array;
      /** The sender deals nothing in this attempt (flags bit 0). */
      readonly dealsNothing: boolean;
    }
  | { readonly type: 'dkg'; readonly envelope: Uint8Array }
  | {
      readonly type: 'deposit' | 'confirm';
      readonly transcriptHash: Uint8Array;
      readonly shareIndex: number;
      readonly signatures: readonly Uint8Array[];
    };

export function encodeHello(
  ceremonyDigest: Uint8Array,
  encryptionKey: Uint8Array,
  nonce: Uint8Array,
  dealsNothing = false,
): Uint8Array {
  const out = new Uint8Array(2 + 32 + 32 + 8 + 1);
  out.set([FRAME_DKG, HELLO]);
  out.set(ceremonyDigest, 2);
  out.set(encryptionKey, 34);
  out.set(nonce.subarray(0, 8), 66);
  out[74] = dealsNothing ? 1 : 0;
  return out;
}

export function encodeDkg(envelope: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + envelope.length);
  out.set([FRAME_DKG, DKG]);
  out.set(envelope, 2);
  return out;
}

export function encodeDeposit(
  transcriptHash: Uint8Array,
  shareIndex: number,
  signatures: readonly Uint8Array[],
  type: 'deposit' | 'confirm' = 'deposit',
): Uint8Array {
  const out = new Uint8Array(2 + 32 + 2 + 96 * signatures.length);
  out.set([FRAME_DKG, type === 'deposit' ? DEPOSIT : CONFIRM]);
  out.set(transcriptHash, 2);
  new DataView(out.buffer).setUint16(34, shareIndex);
  for (const [i, s] of signatures.entries()) out.set(s, 36 + 96 * i);
  return out;
}

/** The frame, or undefined when it is not a well-formed DKG frame. */
export function decodeDkgFrame(bytes: Uint8Array): DkgFrame | undefined {
  if (bytes.length < 2 || bytes[0] !== FRAME_DKG) return undefined;
  const body = bytes.subarray(2);
  // 72 bytes: a hello without flags (written before they existed); flags other than bit 0 are refused
  if (bytes[1] === HELLO && (body.length === 72 || (body.length === 73 && (body[72]! & 0xfe) === 0))) {
    return {
      type: 'hello',
      ceremonyDigest: body.slice(0, 32),
      encryptionKey: body.slice(32, 64),
      dealsNothing: body[72] === 1,
    };
  }
  if (bytes[1] === DKG && body.length > 0) return { type: 'dkg', envelope: body.slice() };
  const partials = bytes[1] === DEPOSIT || bytes[1] === CONFIRM;
  if (partials && body.length >= 34 + 96 && (body.length - 34) % 96 === 0) {
    const shareIndex = new DataView(body.buffer, body.byteOffset).getUint16(32);
    const signatures: Uint8Array[] = [];
    for (let at = 34; at < body.length; at += 96) signatures.push(body.slice(at, at + 96));
    const type = bytes[1] === DEPOSIT ? 'deposit' : 'confirm';
    return { type, transcriptHash: body.slice(0, 32), shareIndex, signatures };
  }
  return undefined;
}
