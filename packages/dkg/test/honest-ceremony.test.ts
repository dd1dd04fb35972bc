// An honest 16-member ceremony in the deterministic network: everyone agrees on the group key, any
// 11 shares sign a message that verifies under it (also with native blst), no 10 do.
import * as blst from '@chainsafe/blst';
import {
  combinePartialSignatures,
  createBls,
  createBlstBackend,
  type PartialSignature,
} from '@diva-dvt/bls-threshold';
import { describe, expect, it } from 'vitest';
import { createNodeSecp256k1Verifier, nodeX25519 } from '../src/node.ts';
import { createOperators, freshConfig, runCeremony } from './helpers/network.ts';

const bls = createBls();
const native = createBls({ backend: createBlstBackend(blst) });

describe('honest 16-member ceremony', () => {
  const operators = createOperators(16, 'honest');
  const config = freshConfig(operators, 11, 1, 'honest');
  const run = runCeremony(config, operators);

  it('finishes at every member with one group key and one set of public shares', () => {
    const results = run.members.map((m) => m.result());
    expect(results.every((r) => r !== undefined)).toBe(true);
    const key = results[0]!.validators[0]!.groupPublicKey.toHex();
    for (const r of results) {
      expect(r!.validators[0]!.groupPublicKey.toHex()).toBe(key);
      expect(r!.qualified).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      expect(r!.certificates.length).toBeGreaterThanOrEqual(11);
      expect(r!.validators[0]!.publicShares.map((p) => p.toHex())).toEqual(
        results[0]!.validators[0]!.publicShares.map((p) => p.toHex()),
      );
    }
  });

  it('gives each member the secret share behind its public share', () => {
    for (const m of run.members) {
      const r = m.result()!;
      const v = r.validators[0]!;
      expect(v.secretShare!.toPublicKey().equals(v.publicShares[r.shareIndex! - 1]!)).toBe(true);
    }
  });

  it('lets any 11 shares sign for the group key, checked by noble and blst; 10 cannot', () => {
    const message = new TextEncoder().encode('deposit message root');
    const partials: PartialSignature[] = run.members.map((m) => {
      const r = m.result()!;
      return { shareIndex: r.shareIndex!, signature: native.sign(r.validators[0]!.secretShare!, message) };
    });
    const groupKey = run.members[0]!.result()!.validators[0]!.groupPublicKey;
    for (const subset of [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6],
      [2, 4, 6, 8, 10, 12, 14, 16, 1, 3, 5],
    ]) {
      const sig = combinePartialSignatures(
        subset.map((i) => partials[i - 1]!),
        { threshold: 11 },
      );
      expect(bls.verify(groupKey, message, sig)).toBe(true);
      expect(
        blst.verify(
          message,
          blst.PublicKey.fromBytes(groupKey.bytes, true),
          blst.Signature.fromBytes(sig.bytes, true),
        ),
      ).toBe(true);
    }
    const ten = combinePartialSignatures(partials.slice(0, 10), { threshold: 10 });
    expect(bls.verify(groupKey, message, ten)).toBe(false);
  });

  it("gives the same result, byte for byte, with the runtime's native crypto (@diva-dvt/dkg/node)", () => {
    const nativeRun = runCeremony(config, createOperators(16, 'honest'), {
      keyAgreement: nodeX25519,
      verifier: createNodeSecp256k1Verifier,
    });
    for (const [i, m] of nativeRun.members.entries()) {
      const a = m.result()!;
      const b = run.members[i]!.result()!;
      expect(a.transcriptHash).toEqual(b.transcriptHash);
      expect(a.validators[0]!.secretShare!.toBytes()).toEqual(b.validators[0]!.secretShare!.toBytes());
    }
  });

  it('reports progress while dealings arrive', () => {
    const progress = run.events[0]!.filter((e) => e.type === 'progress' && e.phase === 'deal');
    expect(progress.length).toBe(16);
    expect(progress.at(-1)).toMatchObject({ received: 16, expected: 16 });
  });
});
