// Issue 14, items 1 and 2: steering the round-2 leader. A Byzantine round-1 leader sends value A to
// six honest members (not the round-2 leader), and the five Byzantine members send round changes
// claiming C with partials of their own. The round-2 leader used to re-propose the value with the
// most claims among the first t round changes: C, which the six A signers can never sign, so
// nothing could reach t (and no evidence names anyone). It now weighs the verified partials it
// holds from any message, the six A votes of round 1 included, and proposes A. With
// `partialVerification: 'on-combine'`, the claims' partials used to count unchecked: garbage
// partials steered the leader the same way. (Since item 6 a round change's partial is checked on
// arrival in either mode, before its value is kept, and one with a garbage partial is dropped.)
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, writeFields } from '../src/codec.ts';
import { createRotationalInstance, leaderOrder, ROTATIONAL_PROTOCOL, RotationalKind } from '../src/index.ts';
import {
  attachSignature,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  encodeUnsigned,
  SIM_SIGNATURE_BYTES,
  simValueType,
} from '../src/sim/index.ts';

const n = 16;
const t = 11;
const instance = new Uint8Array(32).fill(9);
const leaderSeed = new Uint8Array(32).fill(5);
const order = leaderOrder(n, instance, leaderSeed);
const leader2 = order[1]!;
const byzantine = [order[0]!, ...order.slice(11, 15)];
const honest = order.filter((m) => !byzantine.includes(m) && m !== leader2);
const signersOfA = honest.slice(0, 6);
const unsigned = honest.slice(6);
const valueA = new Uint8Array(32).fill(0xa);
const valueC = new Uint8Array(32).fill(0xc);
const own = new Uint8Array(32).fill(0xd);

function signed(from: number, kind: number, round: number, body: Uint8Array): Uint8Array {
  const bytes = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, from, body);
  return attachSignature(bytes, createSimAuth(n, 1, from).sign(bytes));
}
function partial(member: number, value: Uint8Array): Uint8Array {
  const scheme = createSimScheme(n, t, 1, member);
  return scheme.encodePartial(scheme.signPartial(simValueType.signingRoot(value)));
}
const claim = (value: Uint8Array, p: Uint8Array) =>
  writeFields({ u8: 1 }, lengthPrefixed(value), lengthPrefixed(p), lengthPrefixed(new Uint8Array(0)));

/** Runs the attack against the round-2 leader; returns the values it proposes in round 2. */
function attack(options: { garbageClaims?: boolean; onCombine?: boolean }) {
  const leader = createRotationalInstance({
    n,
    t,
    self: leader2,
    instance,
    leaderSeed,
    valueType: simValueType,
    scheme: createSimScheme(n, t, 1, leader2),
    auth: createSimAuth(n, 1, leader2),
    guard: createMemoryGuard(),
    ...(options.onCombine ? { partialVerification: 'on-combine' as const } : {}),
  });
  const proposed: string[] = [];
  const watch = (out: { messages: readonly { bytes: Uint8Array }[] }) => {
    for (const { bytes } of out.messages)
      if (bytes[2] === RotationalKind.Proposal && bytes[38] === 2) {
        const value = bytes.subarray(49, 81);
        proposed.push(value.every((b) => b === 0xa) ? 'A' : value.every((b) => b === 0xc) ? 'C' : 'other');
      }
  };
  watch(leader.start(own));
  // Round 1: the six members that got A vote for it (the leader, not sent A, does not).
  for (const m of signersOfA)
    watch(
      leader.handle(
        signed(
          m,
          RotationalKind.Vote,
          1,
          writeFields(simValueType.signingRoot(valueA), lengthPrefixed(partial(m, valueA))),
        ),
      ),
    );
  watch(leader.timeout(1));
  // Round 2: the five Byzantine members claim C, the five honest members that signed nothing claim nothing.
  for (const m of byzantine) {
    const p = options.garbageClaims ? new Uint8Array(SIM_SIGNATURE_BYTES).fill(1) : partial(m, valueC);
    watch(leader.handle(signed(m, RotationalKind.RoundChange, 2, claim(valueC, p))));
  }
  for (const m of unsigned)
    watch(leader.handle(signed(m, RotationalKind.RoundChange, 2, writeFields({ u8: 0 }))));
  // Then the A signers' round changes, which carry A's value: the first is the t-th (C has five
  // claims, A one); round changes with garbage partials are dropped, so those need all six.
  for (const m of signersOfA)
    watch(leader.handle(signed(m, RotationalKind.RoundChange, 2, claim(valueA, partial(m, valueA)))));
  return proposed;
}

describe('the round-2 leader under a steering attack', () => {
  it('re-proposes the value with the most verified partials from any message, not the most claims', () => {
    expect(attack({})).toEqual(['A']);
  });

  it('does not count unchecked garbage partials with partialVerification on-combine', () => {
    expect(attack({ onCombine: true, garbageClaims: true })).toEqual(['A']);
  });
});
