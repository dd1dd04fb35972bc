// The wire format of the operator protocol. A stream carries frames, each prefixed by its length as
// an unsigned varint (the it-length-prefixed convention); a frame is a batch of messages:
//
//   frame   = count:u32be message{count}
//   message = length:u32be bytes{length}
//
// The reader is incremental and never allocates more than one frame's declared length, and only
// after checking it against the cap: a longer frame is skipped as it arrives (counted as oversized)
// so the stream stays in step. A declared length beyond 16 caps (no sender that knows the cap
// writes one, and skipping it would let one offence occupy the stream for gigabytes) or a length
// prefix that is itself garbage (longer than 8 bytes) leaves the stream unusable.
import * as lp from 'it-length-prefixed';

const U32_BYTES = 4;
/** Varints longer than this encode more than 2^56: no honest frame is that long. */
const MAX_VARINT_BYTES = 8;
/** Oversized frames up to this many caps are skipped; longer ones end the stream. */
const MAX_SKIP_CAPS = 16;

/** Bytes a frame of one message of `messageBytes` occupies before its length prefix. */
export function frameBytesForOne(messageBytes: number): number {
  return U32_BYTES + U32_BYTES + messageBytes;
}

/**
 * Takes messages from the front of `queue` into one length-prefixed frame of at most
 * `maxFrameBytes` (without the prefix); returns it with the number of messages it holds. Every
 * message must fit a frame alone (the caller checks sizes when they are queued).
 */
export function encodeFrame(
  queue: readonly Uint8Array[],
  maxFrameBytes: number,
): { readonly frame: ReturnType<typeof lp.encode.single>; readonly count: number } {
  let size = U32_BYTES;
  let count = 0;
  for (const message of queue) {
    const next = size + U32_BYTES + message.length;
    if (next > maxFrameBytes && count > 0) break;
    size = next;
    count++;
  }
  const body = new Uint8Array(size);
  const view = new DataView(body.buffer);
  view.setUint32(0, count);
  let offset = U32_BYTES;
  for (let i = 0; i < count; i++) {
    const message = queue[i] as Uint8Array;
    view.setUint32(offset, message.length);
    body.set(message, offset + U32_BYTES);
    offset += U32_BYTES + message.length;
  }
  return { frame: lp.encode.single(body), count };
}

/** The messages of a frame body (views into it), or `undefined` when it is malformed. */
export function decodeFrame(body: Uint8Array): Uint8Array[] | undefined {
  if (body.length < U32_BYTES) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const count = view.getUint32(0);
  // Each message takes at least its 4-byte length: a count beyond that is a lie (and checking it
  // first bounds the array below by the frame's size).
  if (count === 0 || count > (body.length - U32_BYTES) / U32_BYTES) return undefined;
  const messages: Uint8Array[] = [];
  let offset = U32_BYTES;
  for (let i = 0; i < count; i++) {
    if (offset + U32_BYTES > body.length) return undefined;
    const length = view.getUint32(offset);
    offset += U32_BYTES;
    if (length > body.length - offset) return undefined;
    messages.push(body.subarray(offset, offset + length));
    offset += length;
  }
  return offset === body.length ? messages : undefined;
}

/** What the reader found in the bytes it was given. */
export type FrameEvent =
  | { readonly type: 'frame'; readonly body: Uint8Array }
  /** A frame longer than the cap: its bytes are skipped, or if `skipped` is false, the stream is given up. */
  | { readonly type: 'oversized'; readonly bytes: number; readonly skipped: boolean }
  /** A length prefix that is not a varint of at most 8 bytes: the stream cannot be read further. */
  | { readonly type: 'corrupt' };

/** An incremental reader of length-prefixed frames, capped at `maxFrameBytes` each. */
export class FrameReader {
  readonly #maxFrameBytes: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  /** The declared length of the frame being read, once its prefix is complete. */
  #expected: number | undefined;
  /** Bytes of an oversized frame still to discard. */
  #skipping = 0;
  #corrupt = false;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Feeds bytes; returns the frames (and faults) they complete, in order. */
  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.#corrupt) return events;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    for (;;) {
      if (this.#skipping > 0) {
        const skip = Math.min(this.#skipping, this.#buffered);
        this.#discard(skip);
        this.#skipping -= skip;
        if (this.#skipping > 0) return events;
      }
      if (this.#expected === undefined) {
        const prefix = this.#readVarint();
        if (prefix === 'corrupt') {
          this.#giveUp();
          events.push({ type: 'corrupt' });
          return events;
        }
        if (prefix === undefined) return events;
        this.#discard(prefix.bytes);
        if (prefix.value > this.#maxFrameBytes) {
          const skipped = prefix.value <= MAX_SKIP_CAPS * this.#maxFrameBytes;
          events.push({ type: 'oversized', bytes: prefix.value, skipped });
          if (!skipped) {
            this.#giveUp();
            return events;
          }
          this.#skipping = prefix.value;
          continue;
        }
        this.#expected = prefix.value;
      }
      if (this.#buffered < this.#expected) return events;
      events.push({ type: 'frame', body: this.#take(this.#expected) });
      this.#expected = undefined;
    }
  }

  #giveUp(): void {
    this.#corrupt = true;
    this.#chunks = [];
    this.#buffered = 0;
  }

  #readVarint(): { value: number; bytes: number } | 'corrupt' | undefined {
    let value = 0;
    let scale = 1;
    let read = 0;
    for (const chunk of this.#chunks) {
      for (const byte of chunk) {
        read++;
        value += (byte & 0x7f) * scale;
        if ((byte & 0x80) === 0) return { value, bytes: read };
        if (read >= MAX_VARINT_BYTES) return 'corrupt';
        scale *= 128;
      }
    }
    return undefined;
  }

  #discard(bytes: number): void {
    let left = bytes;
    this.#buffered -= bytes;
    while (left > 0) {
      const head = this.#chunks[0] as Uint8Array;
      if (head.length <= left) {
        this.#chunks.shift();
        left -= head.length;
      } else {
        this.#chunks[0] = head.subarray(left);
        left = 0;
      }
    }
  }

  #take(bytes: number): Uint8Array {
    // A copy even when the frame lies inside one chunk, so that a message a handler keeps does not
    // pin the whole chunk the transport gave us.
    const out = new Uint8Array(bytes);
    let offset = 0;
    while (offset < bytes) {
      const chunk = this.#chunks[0] as Uint8Array;
      const n = Math.min(chunk.length, bytes - offset);
      out.set(chunk.subarray(0, n), offset);
      offset += n;
      if (n === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(n);
    }
    this.#buffered -= bytes;
    return out;
  }
}
