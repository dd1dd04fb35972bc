// Issue 14, item 6: what one member can make another keep. A Byzantine member (the round-1 leader,
// so that its proposals get past the leader check) floods one honest instance with 20,000 distinct,
// validly signed messages of every kind: proposals of distinct values, votes with valid partials on
// distinct roots, round changes claiming distinct values with valid partials, decisions and
// justifications, over rounds both within and beyond maxFutureRounds. Before, a (sender, kind,
// round) slot kept every distinct message in a list scanned on each arrival (quadratic CPU), every
// valid partial on a new root and every value were kept, and nothing bounded any of it. Now one
// sender has at most two messages per slot, partials on at most two roots, values only with a
// checked partial, and nothing beyond current + maxFutureRounds: the state is the same after 20,000
// messages per kind as after 2,000, the heap does not grow with the flood, and the partial
// signatures checked do not grow with it either (counted, not timed).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, writeFields } from '../src/codec.ts';
import {
  createRotationalInstance,
  leaderOrder,
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

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const n = 16;
const t = 11;
const instance = new Uint8Array(32).fill(0x61);
const leaderSeed = new Uint8Array(32).fill(0x62);
const order = leaderOrder(n, instance, leaderSeed);
const flooder = order[0]!;
const self = order[5]!;
const flooderScheme = createSimScheme(n, t, 1, flooder);
const flooderAuth = createSimAuth(n, 1, flooder);

function signed(kind: number, round: number, body: Uint8Array): Uint8Array {
  const bytes = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, flooder, body);
  return attachSignature(bytes, flooderAuth.sign(bytes));
}
/** A distinct 32-byte value per index. */
function distinctValue(i: number): Uint8Array {
  const v = new Uint8Array(32).fill(0x70);
  v[0] = i >>> 24;
  v[1] = i >>> 16;
  v[2] = i >>> 8;
  v[3] = i;
  return v;
}
const partialOn = (value: Uint8Array) =>
  flooderScheme.encodePartial(flooderScheme.signPartial(simValueType.signingRoot(value)));
/** Rounds 1..24: most within maxFutureRounds (8) of round 1, some beyond. */
const roundOf = (i: number) => 1 + (i % 24);

/** Message i of the flood of each kind. */
function floodMessages(i: number): Uint8Array[] {
  const value = distinctValue(i);
  const round = roundOf(i);
  const partial = partialOn(value);
  return [
    signed(RotationalKind.Proposal, round, lengthPrefixed(value)),
    signed(RotationalKind.Vote, round, writeFields(simValueType.signingRoot(value), lengthPrefixed(partial))),
    signed(
      RotationalKind.RoundChange,
      round,
      writeFields(
        { u8: 1 },
        lengthPrefixed(value),
        lengthPrefixed(partial),
        lengthPrefixed(new Uint8Array(0)),
      ),
    ),
    signed(
      RotationalKind.Decided,
      round,
      writeFields(lengthPrefixed(value), lengthPrefixed(new Uint8Array(SIM_SIGNATURE_BYTES).fill(i & 0xff))),
    ),
    signed(RotationalKind.Justification, round, writeFields({ u8: 0 }, value, { u8: 0 })),
  ];
}

describe('a flood from one member', () => {
  it('leaves state, heap and partial checks flat at 20,000 messages per kind', () => {
    const scheme = createSimScheme(n, t, 1, self);
    let checks = 0;
    const counting: PartialScheme<SimPartial, SimSignature> = {
      ...scheme,
      verifyPartial: (member, root, partial) => {
        checks++;
        return scheme.verifyPartial(member, root, partial);
      },
    };
    const member = createRotationalInstance({
      n,
      t,
      self,
      instance,
      leaderSeed,
      valueType: simValueType,
      scheme: counting,
      auth: createSimAuth(n, 1, self),
      guard: createMemoryGuard(),
    });
    member.start(new Uint8Array(32).fill(0x55));
    const flood = (from: number, to: number) => {
      for (let i = from; i < to; i++) for (const bytes of floodMessages(i)) member.handle(bytes);
    };
    flood(0, 2_000);
    gc();
    const heapAt2k = process.memoryUsage().heapUsed;
    const describedAt2k = member.describe();
    const checksAt2k = checks;
    flood(2_000, 20_000);
    gc();
    const heapAt20k = process.memoryUsage().heapUsed;
    // Nothing of the last 18,000 messages per kind was kept...
    expect(member.describe()).toBe(describedAt2k);
    // ...nor checked: the flooder's partials on a third root are dropped unread.
    expect(checks).toBe(checksAt2k);
    expect(checks).toBeLessThan(50);
    // 18,000 messages per kind kept would be tens of MB (about 1 kB each with their partials).
    expect(heapAt20k - heapAt2k).toBeLessThan(4 * 1024 * 1024);
    expect(member.drops()['future-round-flood']).toBeGreaterThan(5 * 20_000 * (15 / 24) - 1_000);
    expect(member.decision()).toBeUndefined();
  });
});
