// The operator protocol's wire format (src/p2p/frames.ts): varint-length-prefixed frames of
// count-and-length batches, read incrementally with a cap checked before any allocation.
import * as lp from 'it-length-prefixed';
import { describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  type FrameEvent,
  FrameReader,
  frameBytesForOne,
} from '../src/p2p/frames.ts';

const bytes = (...values: number[]) => new Uint8Array(values);
const wire = (frame: ReturnType<typeof encodeFrame>['frame']) => frame.subarray();

function feedByteByByte(reader: FrameReader, data: Uint8Array): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (let i = 0; i < data.length; i++) events.push(...reader.push(data.subarray(i, i + 1)));
  return events;
}

describe('p2p frames', () => {
  it('round-trips a batch, including empty messages', () => {
    const messages = [bytes(1, 2, 3), bytes(), bytes(4)];
    const { frame, count } = encodeFrame(messages, 1024);
    expect(count).toBe(3);
    const [event] = new FrameReader(1024).push(wire(frame));
    expect(event?.type).toBe('frame');
    if (event?.type !== 'frame') return;
    expect(decodeFrame(event.body)).toEqual(messages);
  });

  it('takes only what fits the cap, and always at least one message', () => {
    const messages = [new Uint8Array(10), new Uint8Array(10), new Uint8Array(10)];
    expect(encodeFrame(messages, 4 + 2 * 14).count).toBe(2);
    expect(encodeFrame([new Uint8Array(100)], frameBytesForOne(100)).count).toBe(1);
  });

  it('reads frames split at every byte boundary', () => {
    const a = wire(encodeFrame([bytes(1), bytes(2, 2)], 1024).frame);
    const b = wire(encodeFrame([new Uint8Array(300).fill(9)], 1024).frame);
    const events = feedByteByByte(new FrameReader(1024), new Uint8Array([...a, ...b]));
    expect(events.map((e) => e.type)).toEqual(['frame', 'frame']);
    const bodies = events.map((e) => (e.type === 'frame' ? decodeFrame(e.body) : undefined));
    expect(bodies).toEqual([[bytes(1), bytes(2, 2)], [new Uint8Array(300).fill(9)]]);
  });

  it('skips an oversized frame and reads the next one', () => {
    const reader = new FrameReader(64);
    const big = lp.encode.single(new Uint8Array(1000)).subarray();
    const next = wire(encodeFrame([bytes(7)], 64).frame);
    const events = [
      ...reader.push(big.subarray(0, 500)),
      ...reader.push(new Uint8Array([...big.subarray(500), ...next])),
    ];
    expect(events.map((e) => e.type)).toEqual(['oversized', 'frame']);
    expect(events[0]).toEqual({ type: 'oversized', bytes: 1000, skipped: true });
  });

  it('gives up on a frame declared far over the cap rather than skip it', () => {
    const reader = new FrameReader(64);
    const prefix = lp.encode.single(new Uint8Array(64 * 16 + 1)).subarray(0, 2);
    expect(reader.push(prefix)).toEqual([{ type: 'oversized', bytes: 64 * 16 + 1, skipped: false }]);
    expect(reader.push(wire(encodeFrame([bytes(1)], 64).frame))).toEqual([]);
  });

  it('gives up on a length prefix longer than 8 bytes', () => {
    const reader = new FrameReader(64);
    expect(reader.push(new Uint8Array(9).fill(0xff))).toEqual([{ type: 'corrupt' }]);
    expect(reader.push(wire(encodeFrame([bytes(1)], 64).frame))).toEqual([]);
  });

  it('finds malformed batches', () => {
    const body = (...words: number[]) => {
      const out = new Uint8Array(words.length * 4);
      const view = new DataView(out.buffer);
      for (const [i, w] of words.entries()) view.setUint32(i * 4, w);
      return out;
    };
    expect(decodeFrame(bytes(0, 0, 1))).toBeUndefined(); // shorter than a count
    expect(decodeFrame(body(0))).toBeUndefined(); // no messages
    expect(decodeFrame(body(2, 0))).toBeUndefined(); // count beyond the bytes
    expect(decodeFrame(body(1, 8))).toBeUndefined(); // length beyond the bytes
    expect(decodeFrame(new Uint8Array([...body(1, 0), 5]))).toBeUndefined(); // trailing byte
    expect(decodeFrame(body(0xffffffff, 0))).toBeUndefined(); // a lying count allocates nothing
    expect(decodeFrame(body(1, 0))).toEqual([bytes()]);
  });

  // Seeded random inputs (fast-check is not a dependency of this package): garbage never throws,
  // and any batch survives any chunking.
  const random = (seed: number) => () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };

  it('never throws on garbage, whatever the chunking', () => {
    const next = random(0x5eed);
    for (let run = 0; run < 500; run++) {
      const reader = new FrameReader(256);
      const garbage = Uint8Array.from({ length: Math.floor(next() * 2000) }, () => Math.floor(next() * 256));
      for (let at = 0; at < garbage.length; ) {
        const size = 1 + Math.floor(next() * 100);
        for (const event of reader.push(garbage.subarray(at, at + size))) {
          if (event.type === 'frame') expect(() => decodeFrame(event.body)).not.toThrow();
        }
        at += size;
      }
    }
  });

  it('delivers any batch split into any chunks', () => {
    const next = random(0xba7c4);
    for (let run = 0; run < 200; run++) {
      const messages = Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
        Uint8Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256)),
      );
      const { frame, count } = encodeFrame(messages, 4096);
      expect(count).toBe(messages.length);
      const data = wire(frame);
      const reader = new FrameReader(4096);
      const events: FrameEvent[] = [];
      for (let at = 0; at < data.length; ) {
        const size = 1 + Math.floor(next() * 50);
        events.push(...reader.push(data.subarray(at, at + size)));
        at += size;
      }
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event?.type === 'frame' ? decodeFrame(event.body) : undefined).toEqual(messages);
    }
  });
});
