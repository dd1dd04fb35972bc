// Committed known-answer ceremonies (test/vectors/diva-dkg/), re-derived from their seeds: any change
// to randomness use, encoding, encryption or key derivation shows up here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secp256k1Verifier } from '../src/index.ts';
import { decodeEnvelope, envelopeSigningDigest } from '../src/wire.ts';
import { deriveKnownAnswer, KNOWN_ANSWER_CASES, type KnownAnswer } from './helpers/known-answers.ts';
import { nodeX25519 } from './helpers/node-x25519.ts';

describe.each(KNOWN_ANSWER_CASES)('known answer $file', ({ file, seed, n, t, k }) => {
  const committed = JSON.parse(
    readFileSync(new URL(`./vectors/diva-dkg/${file}`, import.meta.url), 'utf8'),
  ) as KnownAnswer;

  it('re-derives exactly from its seed', () => {
    expect(deriveKnownAnswer(seed, n, t, k)).toEqual(committed);
  });

  it('re-derives exactly with the native key agreement a runtime injects', () => {
    expect(deriveKnownAnswer(seed, n, t, k, nodeX25519)).toEqual(committed);
  });

  it('carries dealings signed by their dealers', () => {
    committed.dealings.forEach((h, i) => {
      const e = decodeEnvelope(Uint8Array.from(Buffer.from(h.slice(2), 'hex')));
      expect(`0x${Buffer.from(e.sender).toString('hex')}`).toBe(committed.participants[i]!.address);
      expect(secp256k1Verifier.verify(e.sender, envelopeSigningDigest(e), e.signature)).toBe(true);
    });
  });
});
