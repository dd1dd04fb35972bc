// Known answers: the eth2 BLS suite (ethereum/bls12-381-tests v0.1.2) in ../shared/vectors,
// every file of every handler, on both backends.
import { describe, expect, it } from 'vitest';
import {
  type Bls,
  BlsError,
  PublicKey,
  SecretKey,
  type Signature,
  Signature as SignatureClass,
} from '../src/index.ts';
import { hashToG2WithDst } from '../src/math.ts';
import { backends } from './helpers/backends.ts';
import { hex, readVectorFiles, toHex } from './helpers/vectors.ts';

const SUITE = 'bls12-381-tests';

// Parsing failures of inputs are part of the spec's "invalid" outcomes for verify-type handlers.
function parseOrNull<T>(f: () => T): T | null {
  try {
    return f();
  } catch (err) {
    if (err instanceof BlsError) return null;
    throw err;
  }
}

const handlers = [
  'sign',
  'verify',
  'aggregate',
  'fast_aggregate_verify',
  'aggregate_verify',
  'batch_verify',
  'deserialization_G1',
  'deserialization_G2',
  'hash_to_G2',
];

it('finds every handler folder of the suite', () => {
  for (const h of handlers) expect(readVectorFiles(SUITE, h).length).toBeGreaterThan(0);
});

describe.each(backends)('eth2 BLS suite on %s', (_name, bls: Bls) => {
  const pk = (h: string) => parseOrNull(() => bls.publicKeyFromBytes(hex(h)));
  const sig = (h: string) => parseOrNull(() => bls.signatureFromBytes(hex(h), { allowIdentity: true }));

  describe('sign', () => {
    for (const { name, data } of readVectorFiles<{
      input: { privkey: string; message: string };
      output: string | null;
    }>(SUITE, 'sign')) {
      it(name, () => {
        const sk = parseOrNull(() => SecretKey.fromHex(data.input.privkey));
        if (data.output === null) {
          expect(sk).toBeNull();
          return;
        }
        expect(sk).not.toBeNull();
        expect(bls.sign(sk!, hex(data.input.message)).toHex()).toBe(data.output);
      });
    }
  });

  describe('verify', () => {
    type V = { input: { pubkey: string; message: string; signature: string }; output: boolean };
    for (const { name, data } of readVectorFiles<V>(SUITE, 'verify')) {
      it(name, () => {
        const p = pk(data.input.pubkey);
        const s = sig(data.input.signature);
        const ok = p !== null && s !== null && bls.verify(p, hex(data.input.message), s);
        expect(ok).toBe(data.output);
      });
    }
  });

  describe('aggregate', () => {
    for (const { name, data } of readVectorFiles<{ input: string[]; output: string | null }>(
      SUITE,
      'aggregate',
    )) {
      it(name, () => {
        const sigs = data.input.map((h) => sig(h));
        if (data.output === null) {
          expect(() => bls.aggregateSignatures(sigs as Signature[])).toThrow(BlsError);
          return;
        }
        expect(sigs.every((s) => s !== null)).toBe(true);
        expect(bls.aggregateSignatures(sigs as Signature[]).toHex()).toBe(data.output);
      });
    }
  });

  describe('fast_aggregate_verify', () => {
    type V = { input: { pubkeys: string[]; message: string; signature: string }; output: boolean };
    for (const { name, data } of readVectorFiles<V>(SUITE, 'fast_aggregate_verify')) {
      it(name, () => {
        const pks = data.input.pubkeys.map(pk);
        const s = sig(data.input.signature);
        const ok =
          s !== null &&
          pks.every((p) => p !== null) &&
          bls.fastAggregateVerify(hex(data.input.message), pks as PublicKey[], s);
        expect(ok).toBe(data.output);
      });
    }
  });

  describe('aggregate_verify', () => {
    type V = { input: { pubkeys: string[]; messages: string[]; signature: string }; output: boolean };
    for (const { name, data } of readVectorFiles<V>(SUITE, 'aggregate_verify')) {
      it(name, () => {
        const pks = data.input.pubkeys.map(pk);
        const s = sig(data.input.signature);
        const ok =
          s !== null &&
          pks.every((p) => p !== null) &&
          bls.aggregateVerify(data.input.messages.map(hex), pks as PublicKey[], s);
        expect(ok).toBe(data.output);
      });
    }
  });

  describe('batch_verify', () => {
    type V = { input: { pubkeys: string[]; messages: string[]; signatures: string[] }; output: boolean };
    for (const { name, data } of readVectorFiles<V>(SUITE, 'batch_verify')) {
      it(name, () => {
        const pks = data.input.pubkeys.map(pk);
        const sigs = data.input.signatures.map(sig);
        const ok =
          pks.every((p) => p !== null) &&
          sigs.every((s) => s !== null) &&
          bls.verifyBatch(
            pks.map((p, i) => ({
              publicKey: p!,
              message: hex(data.input.messages[i]!),
              signature: sigs[i]!,
            })),
          );
        expect(ok).toBe(data.output);
      });
    }
  });

  describe('deserialization_G1', () => {
    for (const { name, data } of readVectorFiles<{ input: { pubkey: string }; output: boolean }>(
      SUITE,
      'deserialization_G1',
    )) {
      it(name, () => {
        const ok =
          parseOrNull(() => bls.publicKeyFromBytes(hex(data.input.pubkey), { allowIdentity: true })) !== null;
        expect(ok).toBe(data.output);
      });
    }
  });

  describe('deserialization_G2', () => {
    for (const { name, data } of readVectorFiles<{ input: { signature: string }; output: boolean }>(
      SUITE,
      'deserialization_G2',
    )) {
      it(name, () => {
        expect(sig(data.input.signature) !== null).toBe(data.output);
      });
    }
  });
});

describe('hash_to_G2 (RFC 9380 suite vectors, their own DST)', () => {
  type V = { input: { msg: string }; output: { x: string; y: string } };
  for (const { name, data } of readVectorFiles<V>(SUITE, 'hash_to_G2')) {
    it(name, () => {
      const p = hashToG2WithDst(
        new TextEncoder().encode(data.input.msg),
        'QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_',
      ).toAffine();
      const fp = (v: bigint) => `0x${v.toString(16).padStart(96, '0')}`;
      expect(`${fp(p.x.c0)},${fp(p.x.c1)}`).toBe(data.output.x);
      expect(`${fp(p.y.c0)},${fp(p.y.c1)}`).toBe(data.output.y);
    });
  }
});

describe('strict parsing of the suite points through the classes', () => {
  it('re-encodes every valid suite signature to the same bytes', () => {
    for (const { data } of readVectorFiles<{ input: { signature: string }; output: boolean }>(
      SUITE,
      'verify',
    )) {
      const s = parseOrNull(() => SignatureClass.fromHex(data.input.signature));
      if (s) expect(toHex(SignatureClass.fromPoint(s.point).bytes)).toBe(data.input.signature);
    }
  });

  it('re-encodes every valid suite public key to the same bytes', () => {
    for (const { data } of readVectorFiles<{ input: { pubkey: string }; output: boolean }>(SUITE, 'verify')) {
      const p = parseOrNull(() => PublicKey.fromHex(data.input.pubkey));
      if (p) expect(PublicKey.fromPoint(p.point).toHex()).toBe(data.input.pubkey);
    }
  });
});
