// Byte keys (bytes.ts): the state machines key roots, values and digests by `key(bytes)`, and sort
// root keys to break ties, so a key must be injective, order like its bytes at equal length, and
// turn back into the bytes' hex.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, key, keyHex } from '../src/bytes.ts';

const bytes = fc.uint8Array({ minLength: 0, maxLength: 80 });
const reference = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('byte keys', () => {
  it('turn back into the hex of their bytes (and hex is hex)', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(hex(b)).toBe(reference(b));
        expect(keyHex(key(b))).toBe(reference(b));
      }),
    );
  });

  it('are injective, also across lengths (a trailing zero byte makes another key)', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        expect(key(a) === key(b)).toBe(reference(a) === reference(b));
      }),
    );
    expect(key(new Uint8Array([1]))).not.toBe(key(new Uint8Array([1, 0])));
    expect(key(new Uint8Array([0, 1]))).not.toBe(key(new Uint8Array([1])));
  });

  it('order like their bytes at equal length (32-byte roots above all)', () => {
    for (const length of [32, 7]) {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: length, maxLength: length }),
          fc.uint8Array({ minLength: length, maxLength: length }),
          (a, b) => {
            expect(key(a) < key(b)).toBe(reference(a) < reference(b));
          },
        ),
      );
    }
  });
});
