// One test per fault. A 7-member committee (t = 5, f = 2) keeps each ceremony near a second; the
// 16-member runs are in honest-ceremony.test.ts and byzantine-mix.test.ts.

import { evaluatePolynomial } from '@diva-dvt/bls-threshold';
import { describe, expect, it } from 'vitest';
import { type DkgEvent, type DkgMember, secp256k1Verifier } from '../src/index.ts';
import {
  ComplaintReason,
  ComplaintsBodyType as ComplaintsBody,
  decodeEnvelope,
  envelopeSigningDigest,
  MessageKind,
} from '../src/wire.ts';
import { craftComplaints, craftDealing, craftJustification, kindOf } from './helpers/byzantine.ts';
import { createOperators, freshConfig, type Interceptor, runCeremony } from './helpers/network.ts';

const n = 7;
const t = 5;

function keysOf(members: readonly DkgMember[], honest: readonly number[]) {
  return honest.map((i) => members[i]!.result()?.validators[0]?.groupPublicKey.toHex());
}

function expectHonestAgree(members: readonly DkgMember[], honest: readonly number[]) {
  const keys = keysOf(members, honest);
  expect(keys.every((k) => k !== undefined)).toBe(true);
  expect(new Set(keys).size).toBe(1);
  for (const i of honest) {
    const r = members[i]!.result()!;
    const v = r.validators[0]!;
    expect(v.secretShare?.toPublicKey().equals(v.publicShares[r.shareIndex! - 1]!)).toBe(true);
  }
}

const all = Array.from({ length: n }, (_, i) => i);
const except = (...bad: number[]) => all.filter((i) => !bad.includes(i));
const disqualifiedIn = (events: readonly DkgEvent[]) =>
  events.filter((e): e is Extract<DkgEvent, { type: 'disqualified' }> => e.type === 'disqualified');

describe('DKG faults (n = 7, t = 5)', () => {
  it('excludes a silent dealer and finishes without it', () => {
    const ops = createOperators(n, 'silent');
    const run = runCeremony(freshConfig(ops, t, 1, 'silent'), ops, { offline: new Map([[2, 'deal']]) });
    expectHonestAgree(run.members, except(2));
    expect(run.members[0]!.result()!.qualified).toEqual([1, 2, 4, 5, 6, 7]);
  });

  it('keeps a dealer that sent a bad share to some members but justifies with the right shares', () => {
    const ops = createOperators(n, 'bad-share-justified');
    const config = freshConfig(ops, t, 1, 'bad-share-justified');
    const crafted = craftDealing(config, ops[1]!, {
      seed: 'crafted',
      shareFor: (j, _v, honest) => (j === 4 || j === 6 ? honest + 1n : honest),
    });
    const intercept: Interceptor = (from, _to, bytes) => {
      if (from !== 1) return [bytes];
      const kind = kindOf(bytes);
      if (kind === MessageKind.Dealing) return [crafted.envelope];
      if (kind === MessageKind.Forward) return [];
      if (kind === MessageKind.Justification) {
        return [
          craftJustification(config, ops[1]!, [
            { recipient: 4, shares: [evaluatePolynomial(crafted.polynomials[0]!, 4)] },
            { recipient: 6, shares: [evaluatePolynomial(crafted.polynomials[0]!, 6)] },
          ]),
        ];
      }
      return [bytes];
    };
    const run = runCeremony(config, ops, { intercept });
    expect(run.events[3]!.some((e) => e.type === 'complaint' && e.reason === 'bad-share')).toBe(true);
    // Member 2 (position 2) faked a justification without its real polynomial state; it holds a
    // different view of its own dealing, so only the others are judged here.
    expectHonestAgree(run.members, except(1));
    expect(run.members[0]!.result()!.qualified).toContain(2);
  });

  it('disqualifies a dealer that does not answer a complaint', () => {
    const ops = createOperators(n, 'no-justify');
    const config = freshConfig(ops, t, 1, 'no-justify');
    const crafted = craftDealing(config, ops[1]!, {
      seed: 'c',
      shareFor: (j, _v, s) => (j === 3 ? s + 5n : s),
    });
    const run = runCeremony(config, ops, {
      intercept: (from, _to, bytes) => {
        if (from !== 1) return [bytes];
        const kind = kindOf(bytes);
        if (kind === MessageKind.Dealing) return [crafted.envelope];
        if (kind === MessageKind.Forward || kind === MessageKind.Justification) return [];
        return [bytes];
      },
    });
    expectHonestAgree(run.members, except(1));
    expect(run.members[0]!.result()!.qualified).not.toContain(2);
    expect(
      disqualifiedIn(run.events[0]!).some((e) => /no answer to the complaint of member 3/.test(e.reason)),
    ).toBe(true);
  });

  it('disqualifies a dealer whose justification reveals wrong shares', () => {
    const ops = createOperators(n, 'bad-justify');
    const config = freshConfig(ops, t, 1, 'bad-justify');
    const crafted = craftDealing(config, ops[1]!, {
      seed: 'c',
      ciphertextFor: (j, ct) => (j === 5 ? ct.map((b) => b ^ 1) : ct),
    });
    const run = runCeremony(config, ops, {
      intercept: (from, _to, bytes) => {
        if (from !== 1) return [bytes];
        const kind = kindOf(bytes);
        if (kind === MessageKind.Dealing) return [crafted.envelope];
        if (kind === MessageKind.Forward) return [];
        if (kind === MessageKind.Justification) {
          return [craftJustification(config, ops[1]!, [{ recipient: 5, shares: [123456789n] }])];
        }
        return [bytes];
      },
    });
    expectHonestAgree(run.members, except(1));
    expect(run.members[0]!.result()!.qualified).not.toContain(2);
    expect(disqualifiedIn(run.events[0]!).some((e) => /bad reveal for member 5/.test(e.reason))).toBe(true);
  });

  it('disqualifies a dealer with an invalid proof of knowledge', () => {
    const ops = createOperators(n, 'bad-pok');
    const config = freshConfig(ops, t, 1, 'bad-pok');
    const crafted = craftDealing(config, ops[3]!, { seed: 'c', badProof: true });
    const run = runCeremony(config, ops, {
      intercept: (from, _to, bytes) => {
        if (from !== 3) return [bytes];
        const kind = kindOf(bytes);
        if (kind === MessageKind.Dealing) return [crafted.envelope];
        if (kind === MessageKind.Forward) return [];
        return [bytes];
      },
    });
    expectHonestAgree(run.members, except(3));
    expect(run.members[0]!.result()!.qualified).not.toContain(4);
    expect(disqualifiedIn(run.events[0]!).some((e) => /invalid proof of knowledge/.test(e.reason))).toBe(
      true,
    );
  });

  it('catches an equivocating dealer with self-verifying evidence and finishes without it', () => {
    const ops = createOperators(n, 'equivocate');
    const config = freshConfig(ops, t, 1, 'equivocate');
    const a = craftDealing(config, ops[0]!, { seed: 'version-a' });
    const b = craftDealing(config, ops[0]!, { seed: 'version-b' });
    const run = runCeremony(config, ops, {
      intercept: (from, to, bytes) => {
        if (from !== 0) return [bytes];
        const kind = kindOf(bytes);
        if (kind === MessageKind.Dealing) return [to % 2 === 0 ? a.envelope : b.envelope];
        if (kind === MessageKind.Forward) return [];
        return [bytes];
      },
    });
    expectHonestAgree(run.members, except(0));
    expect(run.members[1]!.result()!.qualified).not.toContain(1);
    const evidence = run.events[1]!.find((e) => e.type === 'evidence');
    expect(evidence).toBeDefined();
    if (evidence?.type !== 'evidence') return;
    const [x, y] = evidence.evidence.envelopes.map(decodeEnvelope);
    expect(x!.sender).toEqual(ops[0]!.signer.address);
    expect(y!.sender).toEqual(ops[0]!.signer.address);
    expect(x!.body).not.toEqual(y!.body);
    for (const e of [x!, y!]) {
      expect(secp256k1Verifier.verify(e.sender, envelopeSigningDigest(e), e.signature)).toBe(true);
    }
  });

  it('treats a dealing signed twice, or with a re-encoded signature, as one dealing (not equivocation)', async () => {
    const { secp256k1 } = await import('@noble/curves/secp256k1.js');
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { createSeededRandom } = await import('@diva-dvt/bls-threshold');
    const { EnvelopeType } = await import('../src/wire.ts');
    const ops = createOperators(n, 'resign');
    const config = freshConfig(ops, t, 1, 'resign');
    const privateKey = createSeededRandom('resign/operator/0')(32); // operator 0's key, as createOperators made it
    const variants = (bytes: Uint8Array): Uint8Array[] => {
      const e = decodeEnvelope(bytes);
      const flippedV = Uint8Array.from([...e.signature.subarray(0, 64), e.signature[64] === 27 ? 28 : 27]);
      const sig = secp256k1.sign(sha256(envelopeSigningDigest(e)), privateKey, {
        prehash: false,
        format: 'recovered',
        extraEntropy: new Uint8Array(32).fill(1), // another nonce: another valid signature of the same content
      });
      const resigned = Uint8Array.from([...sig.subarray(1, 65), 27 + sig[0]!]);
      expect(resigned).not.toEqual(e.signature);
      return [
        EnvelopeType.serialize({ ...e, signature: flippedV }),
        EnvelopeType.serialize({ ...e, signature: resigned }),
      ];
    };
    const run = runCeremony(config, ops, {
      intercept: (from, to, bytes) => {
        if (from !== 0 || kindOf(bytes) !== MessageKind.Dealing) return [bytes];
        const [flipped, resigned] = variants(bytes);
        return to % 2 === 0 ? [resigned!, bytes, flipped!] : [bytes, resigned!, flipped!];
      },
    });
    expectHonestAgree(run.members, all);
    for (const i of all) {
      expect(run.members[i]!.result()!.qualified).toContain(1);
      expect(run.events[i]!.some((e) => e.type === 'evidence')).toBe(false);
    }
  });

  it('answers a false complaint by revealing the share, and keeps the accused dealer', () => {
    const ops = createOperators(n, 'false-complaint');
    const config = freshConfig(ops, t, 1, 'false-complaint');
    const run = runCeremony(config, ops, {
      intercept: (from, _to, bytes) => {
        if (from !== 6 || kindOf(bytes) !== MessageKind.Complaints) return [bytes];
        const digests = decodeComplaintDigests(bytes);
        return [craftComplaints(config, ops[6]!, digests, [{ dealer: 3, reason: ComplaintReason.BadShare }])];
      },
    });
    expectHonestAgree(run.members, all);
    expect(run.members[0]!.result()!.qualified).toContain(3);
  });

  for (const phase of ['complain', 'justify', 'finish'] as const) {
    it(`finishes when a member goes offline in the ${phase} phase`, () => {
      const ops = createOperators(n, `offline-${phase}`);
      const run = runCeremony(freshConfig(ops, t, 1, `offline-${phase}`), ops, {
        offline: new Map([[4, phase]]),
      });
      expectHonestAgree(run.members, except(4));
      expect(run.members[0]!.result()!.qualified).toContain(5);
    });
  }

  it('aborts everywhere, naming the culprits, when fewer than t dealers qualify', () => {
    const ops = createOperators(n, 'too-few');
    const run = runCeremony(freshConfig(ops, t, 1, 'too-few'), ops, {
      offline: new Map([
        [0, 'deal'],
        [1, 'deal'],
        [2, 'deal'],
      ]),
    });
    for (const i of [3, 4, 5, 6]) {
      const error = run.members[i]!.error();
      expect(error?.code).toBe('NOT_ENOUGH_QUALIFIED');
      if (error?.details.code === 'NOT_ENOUGH_QUALIFIED') {
        expect(error.details.culprits).toHaveLength(3);
        expect(error.details.qualified).toBe(4);
      }
    }
  });
});

function decodeComplaintDigests(bytes: Uint8Array): Uint8Array[] {
  // Re-use the honest member's echo so only the complaint list is forged.
  return ComplaintsBody.deserialize(decodeEnvelope(bytes).body).digests;
}
