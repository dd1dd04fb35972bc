// One ceremony creates k validators at once: k independent, valid outputs (4 members, t = 3, so
// that k = 100 stays quick; the per-validator work is the same at any committee size).
import * as blst from '@chainsafe/blst';
import { combinePartialSignatures, createBls, createBlstBackend } from '@diva-dvt/bls-threshold';
import { describe, expect, it } from 'vitest';
import { createOperators, freshConfig, runCeremony } from './helpers/network.ts';

const native = createBls({ backend: createBlstBackend(blst) });

describe.each([1, 10, 100])('a batch ceremony of k = %i validators', (k) => {
  const ops = createOperators(4, `batch-${k}`);
  const run = runCeremony(freshConfig(ops, 3, k, `batch-${k}`), ops);

  it('finishes everywhere with k distinct group keys, agreed by all members', () => {
    const results = run.members.map((m) => m.result()!);
    expect(results.every((r) => r?.validators.length === k)).toBe(true);
    const keys = results[0]!.validators.map((v) => v.groupPublicKey.toHex());
    expect(new Set(keys).size).toBe(k);
    for (const r of results) expect(r.validators.map((v) => v.groupPublicKey.toHex())).toEqual(keys);
  });

  it('lets any 3 members sign for every validator, and not 2', () => {
    const results = run.members.map((m) => m.result()!);
    const message = new Uint8Array(32).fill(k);
    for (let v = 0; v < k; v++) {
      const partials = results.map((r) => ({
        shareIndex: r.shareIndex!,
        signature: native.sign(r.validators[v]!.secretShare!, message),
      }));
      const key = results[0]!.validators[v]!.groupPublicKey;
      expect(native.verify(key, message, combinePartialSignatures(partials.slice(1), { threshold: 3 }))).toBe(
        true,
      );
      if (v === 0) {
        expect(
          native.verify(key, message, combinePartialSignatures(partials.slice(2), { threshold: 2 })),
        ).toBe(false);
      }
    }
  });
});
