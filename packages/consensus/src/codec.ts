/**
 * Compact binary wire format shared by both protocols (one version byte, fixed header, length-
 * prefixed fields, sender signature last):
 *
 *   version u8 = 1 | protocol u8 | kind u8 | instance [32] | round u32 | sender u16 |
 *   body length u32 | body | signature length u16 | signature
 *
 * The signature covers every byte before its length. Decoding checks every length against what is
 * left and against the cap before reading, and throws a `ConsensusError` (code `MALFORMED_MESSAGE`)
 * carrying the drop reason.
 */
import { ConsensusError, type MessagePart } from './errors.ts';

export const WIRE_VERSION = 1;
export const HEADER_BYTES = 1 + 1 + 1 + 32 + 4 + 2 + 4;
export const DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

export function malformed(
  part: MessagePart,
  problem: string,
  reason: 'malformed' | 'oversized' | 'unsupported-version' = 'malformed',
): ConsensusError {
  return new ConsensusError({ code: 'MALFORMED_MESSAGE', reason, part, problem });
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

/**
 * Copies `src` into `dst` at `at`: a plain loop for short arrays (TypedArray#set costs a runtime
 * call, more than copying a few dozen bytes), `set` for long ones.
 */
export function copyInto(dst: Uint8Array, src: Uint8Array, at: number): void {
  const length = src.length;
  if (length > 96) {
    dst.set(src, at);
    return;
  }
  for (let i = 0; i < length; i++) dst[at + i] = src[i]!;
}

/** Big-endian u32 at `at` (the caller has checked the length). */
function getU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}
function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** An empty byte array (shared: it has nothing to change). */
export const EMPTY_BYTES = new Uint8Array(0);

/** Writes the header of a message whose body has `bodyLength` bytes into `out` (at 0). */
export function writeHeader(
  out: Uint8Array,
  protocol: number,
  kind: number,
  instance: Uint8Array,
  round: number,
  sender: number,
  bodyLength: number,
): void {
  out[0] = WIRE_VERSION;
  out[1] = protocol;
  out[2] = kind;
  copyInto(out, instance, 3);
  putU32(out, 35, round);
  out[39] = sender >>> 8;
  out[40] = sender;
  putU32(out, 41, bodyLength);
}

/**
 * Writes a body in place, into the buffer of the message being built (`Core#beginMessage`): one
 * allocation per message instead of one per field.
 */
export class BodyWriter {
  buffer: Uint8Array = EMPTY_BYTES;
  at = 0;
  end = 0;
  reset(buffer: Uint8Array, at: number, end: number): void {
    this.buffer = buffer;
    this.at = at;
    this.end = end;
  }
  raw(bytes: Uint8Array): this {
    copyInto(this.buffer, bytes, this.at);
    this.at += bytes.length;
    return this;
  }
  u8(v: number): this {
    this.buffer[this.at++] = v;
    return this;
  }
  u32(v: number): this {
    putU32(this.buffer, this.at, v);
    this.at += 4;
    return this;
  }
  /** A length-prefixed field (u32 length, then the bytes). */
  prefixed(bytes: Uint8Array): this {
    return this.u32(bytes.length).raw(bytes);
  }
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
  writeHeader(out, protocol, kind, instance, round, sender, body.length);
  copyInto(out, body, HEADER_BYTES);
  return out;
}

export function attachSignature(signed: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signed.length + 2 + signature.length);
  copyInto(out, signed, 0);
  out[signed.length] = signature.length >>> 8;
  out[signed.length + 1] = signature.length;
  copyInto(out, signature, signed.length + 2);
  return out;
}

export function decodeWire(bytes: Uint8Array, maxBytes = DEFAULT_MAX_MESSAGE_BYTES): WireMessage {
  if (!(bytes instanceof Uint8Array)) throw malformed('bytes', 'not a Uint8Array');
  if (bytes.length > maxBytes)
    throw malformed('bytes', `${bytes.length} bytes, more than the ${maxBytes} allowed`, 'oversized');
  if (bytes.length < HEADER_BYTES + 2) throw malformed('header', 'shorter than the header');
  if (bytes[0] !== WIRE_VERSION)
    throw malformed('header', `version ${bytes[0]}, expected ${WIRE_VERSION}`, 'unsupported-version');
  const bodyLength = getU32(bytes, 41);
  if (bodyLength > bytes.length - HEADER_BYTES - 2)
    throw malformed('body', 'body length overruns the message');
  const end = HEADER_BYTES + bodyLength;
  const sigLength = (bytes[end]! << 8) | bytes[end + 1]!;
  if (end + 2 + sigLength !== bytes.length) throw malformed('signature', 'trailing or missing bytes');
  return {
    protocol: bytes[1]!,
    kind: bytes[2]!,
    instance: bytes.subarray(3, 35),
    round: getU32(bytes, 35),
    sender: (bytes[39]! << 8) | bytes[40]!,
    body: bytes.subarray(HEADER_BYTES, end),
    signed: bytes.subarray(0, end),
    signature: bytes.subarray(end + 2),
  };
}

/**
 * Reads length-prefixed fields from a body: `bytes[start..end)`. `reset` points a reader at another
 * body, so one reader serves every message a state machine opens.
 */
export class BodyReader {
  private bytes: Uint8Array;
  private offset: number;
  private limit: number;
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = start;
    this.limit = end;
  }
  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.offset = start;
    this.limit = end;
  }
  u8(): number {
    if (this.offset + 1 > this.limit) throw malformed('body', 'too short');
    return this.bytes[this.offset++]!;
  }
  fixed(length: number): Uint8Array {
    if (this.offset + length > this.limit) throw malformed('body', 'too short');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  /**
   * Reads `known.length` bytes: `known` itself if they equal it (no allocation: most messages of an
   * instance carry the same root), else a view of them.
   */
  fixedOr(known: Uint8Array): Uint8Array {
    const length = known.length;
    const { bytes, offset } = this;
    if (offset + length > this.limit) throw malformed('body', 'too short');
    for (let i = 0; i < length; i++) if (bytes[offset + i] !== known[i]) return this.fixed(length);
    this.offset += length;
    return known;
  }
  u32(): number {
    if (this.offset + 4 > this.limit) throw malformed('body', 'too short');
    const v = getU32(this.bytes, this.offset);
    this.offset += 4;
    return v;
  }
  bytesField(): Uint8Array {
    return this.fixed(this.u32());
  }
  /** The body from the current position to its end (not consumed). */
  rest(): Uint8Array {
    return this.bytes.subarray(this.offset, this.limit);
  }
  end(): void {
    if (this.offset !== this.limit) throw malformed('body', 'trailing bytes');
  }
}

export function writeFields(...fields: (Uint8Array | number | { u8: number })[]): Uint8Array {
  let length = 0;
  for (const f of fields) length += typeof f === 'number' ? 4 : f instanceof Uint8Array ? f.length : 1;
  const out = new Uint8Array(length);
  let o = 0;
  for (const f of fields) {
    if (typeof f === 'number') {
      putU32(out, o, f);
      o += 4;
    } else if (f instanceof Uint8Array) {
      copyInto(out, f, o);
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
