// Same-root batch verification of group signatures (src/runtime/same-root-batch.ts): a batch that
// verifies marks its signatures for their own validator and root only; one bad signature marks
// nothing (each is then checked alone); and 16 CommitteeSigners deciding several validators' duties
// of one slot check most group signatures in batches.
import { SecretKey } from '@diva-dvt/bls-threshold';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRuntimeBls } from '../src/runtime/bls.ts';
import type { CommitteeSigner } from '../src/runtime/committee-signer.ts';
import { type ReceivedCombined, SameRootBatch, VerifiedSignatures } from '../src/runtime/same-root-batch.ts';
import type { SigningDuty } from '../src/signer.ts';
import { bytesValueType } from './helpers/bytes-value.ts';
import { createOperators, createSigner, createValidator } from './helpers/committee.ts';
import { createMemoryHub } from './helpers/memory-network.ts';

const { bls } = await loadRuntimeBls();
const root = sha256(new TextEncoder().encode('one attestation data'));
const otherRoot = sha256(new TextEncoder().encode('another'));

function keys(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const bytes = sha256(new Uint8Array([7, i]));
    bytes[0] = 0x11; // below the group order
    const secretKey = SecretKey.fromBytes(bytes);
    return { publicKey: secretKey.toPublicKey(), secretKey, verified: new VerifiedSignatures() };
  });
}

const turnEnds = () => new Promise((resolve) => setImmediate(resolve));

const received = (signature: Uint8Array, over = root): ReceivedCombined => ({
  key: Buffer.from(over).toString('hex'),
  signature,
  root: () => over,
});

describe('SameRootBatch', () => {
  it('marks the signatures of a group that verifies, for their validator and root, during delivery only', async () => {
    const batch = new SameRootBatch(bls);
    const vs = keys(3);
    const signatures = vs.map((v) => bls.sign(v.secretKey, root).bytes);
    const seen: boolean[] = [];
    for (const [i, v] of vs.entries()) {
      batch.hold(v.verified, v.publicKey, received(signatures[i]!), () => {
        const signature = v.verified.take(signatures[i]!);
        seen.push(signature !== undefined && v.verified.verified(root, signature));
        // not for another root, and not for another validator
        if (signature !== undefined) seen.push(!v.verified.verified(otherRoot, signature));
        seen.push(vs[(i + 1) % 3]!.verified.take(signatures[i]!) === undefined);
      });
    }
    expect(seen).toEqual([]);
    await turnEnds();
    expect(seen).toEqual(Array(9).fill(true));
    expect(batch.stats).toEqual({ batched: 3, groups: 1, failedGroups: 0 });
    // the turn is over: the marks are gone
    expect(vs[0]!.verified.take(signatures[0]!)).toBeUndefined();
  });

  it('marks nothing when one signature of the group is wrong, and still delivers every message', async () => {
    const batch = new SameRootBatch(bls);
    const vs = keys(3);
    const signatures = vs.map((v) => bls.sign(v.secretKey, root).bytes);
    // validator 2 gets validator 0's signature: a valid point, the wrong key
    const sent = [signatures[0]!, signatures[1]!, signatures[0]!];
    const taken: (unknown | undefined)[] = [];
    for (const [i, v] of vs.entries()) {
      batch.hold(v.verified, v.publicKey, received(sent[i]!), () => taken.push(v.verified.take(sent[i]!)));
    }
    await turnEnds();
    expect(taken).toEqual([undefined, undefined, undefined]);
    expect(batch.stats).toEqual({ batched: 0, groups: 1, failedGroups: 1 });
  });

  it('checks only groups of two or more over one root; a root that throws skips its group', async () => {
    const batch = new SameRootBatch(bls);
    const vs = keys(3);
    const delivered: number[] = [];
    batch.hold(vs[0]!.verified, vs[0]!.publicKey, received(bls.sign(vs[0]!.secretKey, root).bytes), () =>
      delivered.push(0),
    );
    batch.hold(vs[1]!.verified, vs[1]!.publicKey, undefined, () => delivered.push(1));
    const throwing: ReceivedCombined = {
      key: 'bad value',
      signature: bls.sign(vs[2]!.secretKey, otherRoot).bytes,
      root: () => {
        throw new RangeError('not a value of this duty');
      },
    };
    batch.hold(vs[2]!.verified, vs[2]!.publicKey, throwing, () => delivered.push(2));
    batch.hold(vs[1]!.verified, vs[1]!.publicKey, { ...throwing }, () => delivered.push(3));
    await turnEnds();
    expect(delivered).toEqual([0, 1, 2, 3]);
    expect(batch.stats).toEqual({ batched: 0, groups: 0, failedGroups: 0 });
  });
});

const bytesValue = bytesValueType();

const signers: CommitteeSigner[] = [];
afterEach(() => {
  for (const s of signers.splice(0)) s.stop();
});

describe('CommitteeSigner with same-root batches', () => {
  it('6 validators of one slot: every member decides each with its group signature, most checked in batches', async () => {
    const operators = createOperators(16);
    const validators = Array.from({ length: 6 }, (_, i) => createValidator(10 + i, operators, 11));
    const hub = createMemoryHub({ delayMs: 0 });
    const members = operators.map((o) =>
      createSigner(bls, o, operators, validators, hub.network(o.address), {}, { combinerWaitMs: 5_000 }),
    );
    signers.push(...members);
    const value = new Uint8Array(32).fill(9);
    const results = await Promise.all(
      validators.flatMap((v) => {
        const duty: SigningDuty = {
          type: 'attestation',
          validatorIndex: v.validatorIndex,
          slot: 40,
          deadlineMs: Date.now() + 20_000,
        };
        return members.map(async (m) => ({ v, decided: await m.decide(value, bytesValue, duty) }));
      }),
    );
    for (const { v, decided } of results) {
      expect(decided.value).toEqual(value);
      const groupKey = bls.publicKeyFromBytes(v.committee.groupPublicKey);
      expect(bls.verify(groupKey, sha256(value), bls.signatureFromBytes(decided.signature))).toBe(true);
    }
    const batched = members.reduce((sum, m) => sum + m.batchStats.batched, 0);
    const failed = members.reduce((sum, m) => sum + m.batchStats.failedGroups, 0);
    // 6 validators x 15 members receiving their combiner's DECIDED; some arrive alone in their turn
    expect(batched).toBeGreaterThan(30);
    expect(failed).toBe(0);
    expect(hub.reports).toEqual([]);
  });
});
