// Wire input that must be dropped with a typed reason, never thrown out of the member and never fatal:
// malformed, oversized, wrong version, replayed, unknown sender, wrong ceremony, bad signature,
// wrong role. The ceremony still finishes.
import { describe, expect, it } from 'vitest';
import { createSecp256k1Signer, type DkgErrorCode, type DkgEvent, MAX_MESSAGE_BYTES } from '../src/index.ts';
import { decodeEnvelope, EnvelopeType, MessageKind, signEnvelope } from '../src/wire.ts';
import { craftDealing, kindOf } from './helpers/byzantine.ts';
import { ceremonyId, createOperators, freshConfig, runCeremony } from './helpers/network.ts';

const n = 4;
const t = 3;

function droppedCodes(events: readonly DkgEvent[]): DkgErrorCode[] {
  return events.flatMap((e) => (e.type === 'dropped' ? [e.error.code] : []));
}

describe('decodeEnvelope', () => {
  const ops = createOperators(1, 'codec');
  const id = ceremonyId('codec');
  const good = signEnvelope(ops[0]!.signer, id, MessageKind.Complaints, new Uint8Array([1, 2, 3]));

  it('round-trips an envelope', () => {
    const e = decodeEnvelope(good);
    expect(e.version).toBe(1);
    expect(e.ceremonyId).toEqual(id);
    expect(e.sender).toEqual(ops[0]!.signer.address);
    expect(EnvelopeType.serialize(e)).toEqual(good);
  });

  it.each([
    ['empty input', new Uint8Array(0), 'MALFORMED_MESSAGE'],
    ['a truncated envelope', good.subarray(0, good.length - 10), 'MALFORMED_MESSAGE'],
    ['an unknown version', Uint8Array.from([2, ...good.subarray(1)]), 'UNSUPPORTED_VERSION'],
    ['an oversized message', new Uint8Array(MAX_MESSAGE_BYTES + 1).fill(1), 'OVERSIZED_MESSAGE'],
  ])('rejects %s', (_name, bytes, code) => {
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code }));
  });

  it('rejects an unknown message kind', () => {
    const e = decodeEnvelope(good);
    const bad = EnvelopeType.serialize({ ...e, kind: 99 });
    expect(() => decodeEnvelope(bad)).toThrow(expect.objectContaining({ code: 'MALFORMED_MESSAGE' }));
  });
});

describe('a member under hostile input', () => {
  const ops = createOperators(n, 'hostile');
  const config = freshConfig(ops, t, 1, 'hostile');
  const stranger = createSecp256k1Signer(new Uint8Array(32).fill(7));
  const replayed = craftDealing(config, ops[1]!, { seed: 'replayed' }).envelope;
  const body = decodeEnvelope(replayed).body;
  const forged = EnvelopeType.serialize({
    ...decodeEnvelope(replayed),
    signature: new Uint8Array(65).fill(1),
  });
  const inject = [
    new Uint8Array([1, 2, 3]),
    replayed.subarray(0, 50),
    signEnvelope(stranger, config.ceremonyId, MessageKind.Dealing, body),
    signEnvelope(ops[1]!.signer, ceremonyId('other ceremony'), MessageKind.Dealing, body),
    forged,
    signEnvelope(ops[2]!.signer, config.ceremonyId, MessageKind.Complaints, new Uint8Array([0xff, 0xff])),
  ];
  // Member 1's real dealing is delivered twice (a replay).
  const run = runCeremony(config, ops, {
    inject,
    intercept: (from, _to, bytes) =>
      from === 1 && kindOf(bytes) === MessageKind.Dealing ? [bytes, bytes] : [bytes],
  });

  it('finishes anyway, with one key', () => {
    const keys = run.members.map((m) => m.result()?.validators[0]?.groupPublicKey.toHex());
    expect(keys.every((k) => k !== undefined)).toBe(true);
    expect(new Set(keys).size).toBe(1);
  });

  it('drops each bad message with its reason', () => {
    const codes = droppedCodes(run.events[0]!);
    for (const code of [
      'MALFORMED_MESSAGE',
      'UNKNOWN_SENDER',
      'WRONG_CEREMONY',
      'BAD_SIGNATURE',
      'REPLAYED_MESSAGE',
    ] as const) {
      expect(codes).toContain(code);
    }
  });
});

describe('the caching verifiers (noble and OpenSSL)', () => {
  it('accept and reject exactly what the stateless one does, before and after they know a key', async () => {
    const { createSecp256k1Verifier, secp256k1Verifier } = await import('../src/index.ts');
    const { createNodeSecp256k1Verifier } = await import('../src/node.ts');
    const { secp256k1 } = await import('@noble/curves/secp256k1.js');
    const N = secp256k1.Point.Fn.ORDER;
    const be32 = (x: bigint) =>
      Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * (31 - i))) & 0xffn));
    const num = (b: Uint8Array) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    const key = new Uint8Array(32).fill(9);
    const signer = createSecp256k1Signer(key);
    const other = createSecp256k1Signer(new Uint8Array(32).fill(10));
    const pub = secp256k1.getPublicKey(key, false);
    const verifiers = [createSecp256k1Verifier(), createNodeSecp256k1Verifier()];
    const preloaded = [createSecp256k1Verifier(), createNodeSecp256k1Verifier()];
    for (const p of preloaded) {
      expect(p.addKnownKey(signer.address, pub)).toBe(true);
      expect(p.addKnownKey(other.address, pub)).toBe(false);
      expect(p.addKnownKey(signer.address, Uint8Array.from([4, ...pub.subarray(1, 64), pub[64]! ^ 1]))).toBe(
        false,
      );
    }
    let accepted = 0;
    for (let i = 0; i < 8; i++) {
      const msg = new Uint8Array([i, 1, 2]);
      const good = signer.sign(msg);
      const r = good.subarray(0, 32);
      const s = good.subarray(32, 64);
      const v = good[64]!;
      const withParts = (rr: Uint8Array, ss: Uint8Array, vv: number) => Uint8Array.from([...rr, ...ss, vv]);
      const flipped = good.slice();
      flipped[5]! ^= 1;
      const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
        [signer.address, msg, good],
        [signer.address, new Uint8Array([i + 100]), good],
        [other.address, msg, good],
        [signer.address, msg, other.sign(msg)],
        [signer.address, msg, withParts(r, s, 29)],
        [signer.address, msg, withParts(r, be32(N - num(s)), v === 27 ? 28 : 27)], // the high-s twin
        [signer.address, msg, withParts(be32(0n), s, v)],
        [signer.address, msg, withParts(be32(num(r) + N < 1n << 256n ? num(r) + N : N), s, v)],
        [signer.address, msg, withParts(r, be32(0n), v)],
        [signer.address, msg, flipped],
        [signer.address, msg, good.subarray(0, 64)],
      ];
      for (const [address, m, sig] of cases) {
        const expected = secp256k1Verifier.verify(address, m, sig);
        if (expected) accepted++;
        for (const verifier of [...verifiers, ...preloaded])
          expect(verifier.verify(address, m, sig)).toBe(expected);
      }
    }
    expect(accepted).toBe(8); // exactly the genuine signatures
  });

  it('check v by recovery only until they know the key (messages are identified by content)', async () => {
    const { createSecp256k1Verifier, secp256k1Verifier } = await import('../src/index.ts');
    const { createNodeSecp256k1Verifier } = await import('../src/node.ts');
    const signer = createSecp256k1Signer(new Uint8Array(32).fill(9));
    const msg = new Uint8Array([7]);
    const good = signer.sign(msg);
    const otherV = Uint8Array.from([...good.subarray(0, 64), good[64] === 27 ? 28 : 27]);
    for (const make of [createSecp256k1Verifier, createNodeSecp256k1Verifier]) {
      const fresh = make();
      expect(fresh.verify(signer.address, msg, otherV)).toBe(false); // recovery gives another address
      expect(fresh.verify(signer.address, msg, good)).toBe(true);
      expect(fresh.verify(signer.address, msg, otherV)).toBe(true); // r, s checked against the kept key
    }
    expect(secp256k1Verifier.verify(signer.address, msg, otherV)).toBe(false);
  });
});
