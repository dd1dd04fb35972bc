// Issue 14, item 3 (its bound): the work one JUSTIFICATION can make a member do. A justification
// lists round changes and shown partials behind one-byte counts. A round change that fails its check
// is not counted for its sender, so a Byzantine round-2 leader could list the same validly signed
// round change (with a garbage partial) 255 times and 255 garbage partials besides: every member
// checked 255 message signatures and 510 partials for one message. Now a justification listing more
// than n of either is malformed and nothing in it is checked; one listing n checks at most n
// signatures and 2n partials. Checks are counted, not timed.
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, writeFields } from '../src/codec.ts';
import {
  createRotationalInstance,
  leaderOrder,
  type MessageAuthenticator,
  type PartialScheme,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
} from '../src/index.ts';
import {
  attachSignature,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  encodeUnsigned,
  SIM_SIGNATURE_BYTES,
  type SimPartial,
  type SimSignature,
  simValueType,
} from '../src/sim/index.ts';

const n = 16;
const t = 11;
const instance = new Uint8Array(32).fill(0x41);
const leaderSeed = new Uint8Array(32).fill(0x42);
const order = leaderOrder(n, instance, leaderSeed);
const leader2 = order[1]!;
const self = order[5]!;
const value = new Uint8Array(32).fill(0xb);
const root = simValueType.signingRoot(value);
const garbage = new Uint8Array(SIM_SIGNATURE_BYTES).fill(0xee);

function signed(from: number, kind: number, round: number, body: Uint8Array): Uint8Array {
  const bytes = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, from, body);
  return attachSignature(bytes, createSimAuth(n, 1, from).sign(bytes));
}

/**
 * A justification of round 2 from its (Byzantine) leader listing `claims` copies of its own validly
 * signed round change that carries a garbage partial, and `claims` garbage partials shown.
 */
function justification(claims: number): Uint8Array {
  const roundChange = signed(
    leader2,
    RotationalKind.RoundChange,
    2,
    writeFields({ u8: 1 }, lengthPrefixed(value), lengthPrefixed(garbage), lengthPrefixed(new Uint8Array(0))),
  );
  const fields: (Uint8Array | { u8: number })[] = [{ u8: claims }];
  for (let i = 0; i < claims; i++) fields.push(lengthPrefixed(roundChange));
  fields.push(root, { u8: claims });
  for (let i = 0; i < claims; i++) fields.push({ u8: 0 }, { u8: 1 + (i % n) }, lengthPrefixed(garbage));
  return signed(leader2, RotationalKind.Justification, 2, writeFields(...fields));
}

/** An honest member in round 1 handles the justification; returns the checks it made and its drops. */
function handle(claims: number) {
  let checks = 0;
  const auth = createSimAuth(n, 1, self);
  const countingAuth: MessageAuthenticator = {
    sign: auth.sign,
    verify: (member, payload, signature) => {
      checks++;
      return auth.verify(member, payload, signature);
    },
    verifyIn: (member, bytes, payloadEnd, signatureStart) => {
      checks++;
      return auth.verifyIn!(member, bytes, payloadEnd, signatureStart);
    },
  };
  const scheme = createSimScheme(n, t, 1, self);
  const countingScheme: PartialScheme<SimPartial, SimSignature> = {
    ...scheme,
    verifyPartial: (member, r, partial) => {
      checks++;
      return scheme.verifyPartial(member, r, partial);
    },
  };
  const member = createRotationalInstance({
    n,
    t,
    self,
    instance,
    leaderSeed,
    valueType: simValueType,
    scheme: countingScheme,
    auth: countingAuth,
    guard: createMemoryGuard(),
  });
  member.start(new Uint8Array(32).fill(0x55));
  checks = 0;
  member.handle(justification(claims));
  return { checks, drops: member.drops() };
}

describe('the work one justification can cause', () => {
  it('checks nothing inside a justification that lists more than n round changes or partials', () => {
    const { checks, drops } = handle(255);
    // The justification's own signature, and nothing of the 255 + 255 it lists.
    expect(checks).toBe(1);
    expect(drops.malformed).toBe(1);
  });

  it('checks at most n signatures and 2n partials for a justification that lists n of each', () => {
    const { checks, drops } = handle(n);
    expect(checks).toBeLessThanOrEqual(1 + 3 * n);
    expect(checks).toBeGreaterThan(n); // it was read: each listed round change was checked
    expect(drops.malformed ?? 0).toBe(0);
  });
});
