/**
 * Compact binary wire format shared by both protocols (one version byte, fixed header, length-
 * prefixed fields, sender signature last):
 *
 *   version u8 = 1 | protocol u8 | kind u8 | instance [32] | round u32 | sender u16 |
 *   body length u32 | body | signature length u16 | signature
 *
 * The signature covers every byte before its length. Decoding checks every length against what is
 * left and against the cap before reading, and throws `ConsensusCodecError` with a drop reason.
 */
import type { DropReason } from './types.ts';

export const WIRE_VERSION = 1;
export const HEADER_BYTES = 1 + 1 + 1 + 32 + 4 + 2 + 4;
export const DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

export class ConsensusCodecError extends Error {
  override readonly name = 'ConsensusCodecError';
  readonly reason: DropReason;
  constructor(reason: DropReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface WireMessage {
  readonly protocol: number;
  readonly kind: number;
  readonly instance: Uint8Array;
  readonly round: number;
  readonly sender: number;
  readonly body: Uint8Array;
  /** Header + body: what the signature covers. */
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeUnsigned(
  protocol: number,
  kind: number,
  instance: Uint8Array,
  round: number,
  sender: number,
  body: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + body.length);
  const view = new DataView(out.buffer);
  out[0] = WIRE_VERSION;
  out[1] = protocol;
  out[2] = kind;
  out.set(instance, 3);
  view.setUint32(35, round);
  view.setUint16(39, sender);
  view.setUint32(41, body.length);
  out.set(body, HEADER_BYTES);
  return out;
}

export function attachSignature(signed: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signed.length + 2 + signature.length);
  out.set(signed);
  new DataView(out.buffer).setUint16(signed.length, signature.length);
  out.set(signature, signed.length + 2);
  return out;
}

export function decodeWire(bytes: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): WireMessage {
  if (!(bytes instanceof Uint8Array)) throw new ConsensusCodecError('malformed', 'not bytes');
  if (bytes.length > maxBytes)
    throw new ConsensusCodecError('oversized', `${bytes.length} > ${maxBytes} bytes`);
  if (bytes.length < HEADER_BYTES + 2) throw new ConsensusCodecError('malformed', 'shorter than the header');
  if (bytes[0] !== WIRE_VERSION) throw new ConsensusCodecError('unsupported-version', `version ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bodyLength = view.getUint32(41);
  if (bodyLength > bytes.length - HEADER_BYTES - 2)
    throw new ConsensusCodecError('malformed', 'body overruns');
  const end = HEADER_BYTES + bodyLength;
  const sigLength = view.getUint16(end);
  if (end + 2 + sigLength !== bytes.length)
    throw new ConsensusCodecError('malformed', 'trailing or missing bytes');
  return {
    protocol: bytes[1]!,
    kind: bytes[2]!,
    instance: bytes.subarray(3, 35),
    round: view.getUint32(35),
    sender: view.getUint16(39),
    body: bytes.subarray(HEADER_BYTES, end),
    signed: bytes.subarray(0, end),
    signature: bytes.subarray(end + 2),
  };
}

/** Reads length-prefixed fields from a body. */
export class BodyReader {
  private offset = 0;
  private readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  u8(): number {
    if (this.offset + 1 > this.bytes.length) throw new ConsensusCodecError('malformed', 'body too short');
    return this.bytes[this.offset++]!;
  }
  fixed(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length)
      throw new ConsensusCodecError('malformed', 'body too short');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  u32(): number {
    const b = this.fixed(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  }
  bytesField(): Uint8Array {
    return this.fixed(this.u32());
  }
  end(): void {
    if (this.offset !== this.bytes.length)
      throw new ConsensusCodecError('malformed', 'trailing bytes in body');
  }
}

export function writeFields(...fields: (Uint8Array | number | { u8: number })[]): Uint8Array {
  let length = 0;
  for (const f of fields) length += typeof f === 'number' ? 4 : f instanceof Uint8Array ? f.length : 1;
  const out = new Uint8Array(length);
  let o = 0;
  for (const f of fields) {
    if (typeof f === 'number') {
      out[o] = f >>> 24;
      out[o + 1] = f >>> 16;
      out[o + 2] = f >>> 8;
      out[o + 3] = f;
      o += 4;
    } else if (f instanceof Uint8Array) {
      out.set(f, o);
      o += f.length;
    } else {
      out[o++] = f.u8;
    }
  }
  return out;
}

/** A length-prefixed byte field for `writeFields`. */
export function lengthPrefixed(bytes: Uint8Array): Uint8Array {
  return writeFields(bytes.length, bytes);
}
