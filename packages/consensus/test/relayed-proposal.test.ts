// Issue 14, item 5: a proposal first learned from a round-change relay must not suppress the vote.
// Byzantine members with fast links can relay the leader's proposal inside a round change before the
// proposal itself arrives over the leader's slow links; the member then saw the direct proposal as
// "already seen" and never voted in that round.
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, writeFields } from '../src/codec.ts';
import { createRotationalInstance, leaderOrder, ROTATIONAL_PROTOCOL, RotationalKind } from '../src/index.ts';
import {
  attachSignature,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  encodeUnsigned,
  simValueType,
} from '../src/sim/index.ts';

const n = 4;
const t = 3;
const instance = new Uint8Array(32).fill(7);
const leaderSeed = new Uint8Array(32).fill(1);
const [leader, relayer, self] = leaderOrder(n, instance, leaderSeed) as [number, number, number];

function signed(from: number, kind: number, round: number, body: Uint8Array): Uint8Array {
  const unsigned = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, from, body);
  return attachSignature(unsigned, createSimAuth(n, 1, from).sign(unsigned));
}

describe('a proposal relayed in a round change', () => {
  it('is voted on when it is of the current round, and the direct copy arriving later changes nothing', () => {
    const value = new Uint8Array(32).fill(0x11);
    const root = simValueType.signingRoot(value);
    const proposal = signed(leader, RotationalKind.Proposal, 1, lengthPrefixed(value));
    // The relayer moved to round 2 and relays the proposal it signed, with its partial.
    const relayerScheme = createSimScheme(n, t, 1, relayer);
    const partial = relayerScheme.encodePartial(relayerScheme.signPartial(root));
    const roundChange = signed(
      relayer,
      RotationalKind.RoundChange,
      2,
      writeFields({ u8: 1 }, lengthPrefixed(value), lengthPrefixed(partial), lengthPrefixed(proposal)),
    );
    const member = createRotationalInstance({
      n,
      t,
      self,
      instance,
      leaderSeed,
      valueType: simValueType,
      scheme: createSimScheme(n, t, 1, self),
      auth: createSimAuth(n, 1, self),
      guard: createMemoryGuard(),
    });
    member.start(new Uint8Array(32).fill(0x22));
    const votes = (out: { messages: readonly { bytes: Uint8Array }[] }) =>
      out.messages.filter((m) => m.bytes[2] === RotationalKind.Vote).length;
    expect(member.round()).toBe(1);
    expect(votes(member.handle(roundChange))).toBe(1);
    expect(votes(member.handle(proposal))).toBe(0);
  });
});
