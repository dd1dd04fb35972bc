// The injectable key agreement: node:crypto's X25519 gives noble's bytes (RFC 7748 vectors and
// random keys), and a ceremony run with it equals one run with noble.
import { createSeededRandom } from '@diva-dvt/bls-threshold';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDkgError, nobleX25519 } from '../src/index.ts';
import { nodeX25519 } from './helpers/node-x25519.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('X25519 implementations', () => {
  it('match the RFC 7748 section 6.1 test vector on both', () => {
    const aliceSk = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobPk = hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    for (const ka of [nobleX25519, nodeX25519]) {
      expect(Buffer.from(ka.sharedSecret(aliceSk, bobPk)).toString('hex')).toBe(shared);
      expect(Buffer.from(ka.publicKey(aliceSk)).toString('hex')).toBe(
        '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
      );
    }
  });

  it('agree on random keys', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const pb = nobleX25519.publicKey(b);
          expect(nodeX25519.publicKey(a)).toEqual(nobleX25519.publicKey(a));
          expect(nodeX25519.sharedSecret(a, pb)).toEqual(nobleX25519.sharedSecret(a, pb));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('both refuse a low-order public key', () => {
    const sk = createSeededRandom('low-order')(32);
    for (const ka of [nobleX25519, nodeX25519]) {
      let caught: unknown;
      try {
        ka.sharedSecret(sk, new Uint8Array(32));
      } catch (err) {
        caught = err;
      }
      expect(isDkgError(caught, 'INVALID_KEY')).toBe(true);
      if (isDkgError(caught, 'INVALID_KEY')) expect(caught.details.field).toBe('publicKey');
    }
  });
});
