// The value type of the signer tests: 32-byte values whose signing root is their hash; valid
// unless `isValid` says otherwise (the committee signer's tests refuse values starting with 0xff).
import type { ValueType } from '@diva-dvt/consensus';
import { sha256 } from '@noble/hashes/sha2.js';

export function bytesValueType(isValid: (v: Uint8Array) => boolean = () => true): ValueType<Uint8Array> {
  return {
    encode: (v) => v,
    decode: (b) => {
      if (b.length !== 32) throw new RangeError('32 bytes');
      return b.slice();
    },
    isValid,
    signingRoot: (v) => sha256(v),
  };
}
