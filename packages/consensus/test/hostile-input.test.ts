// Malformed, oversized, replayed, wrong-instance, unauthenticated and future-round-flood input is
// dropped with a counted reason and never throws out of the state machine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createQbftInstance,
  createRotationalInstance,
  leaderOf,
  leaderOrder,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
} from '../src/index.ts';
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
const order = leaderOrder(n, instance, leaderSeed);

function member(self: number) {
  return createRotationalInstance({
    n,
    t,
    self,
    instance,
    leaderSeed,
    valueType: simValueType,
    scheme: createSimScheme(n, t, 1, self),
    auth: createSimAuth(n, 1, self),
    guard: createMemoryGuard(),
    maxMessageBytes: 4096,
    maxFutureRounds: 4,
  });
}

function message(from: number, kind: number, round: number, body: Uint8Array, inst = instance) {
  const signed = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, inst, round, from, body);
  return attachSignature(signed, createSimAuth(n, 1, from).sign(signed));
}

const proposalBody = (value: Uint8Array) => {
  const out = new Uint8Array(4 + value.length);
  new DataView(out.buffer).setUint32(0, value.length);
  out.set(value, 4);
  return out;
};

describe('hostile input to a rotational member', () => {
  it('counts each kind of bad message under its reason', () => {
    const self = order.find((m) => m !== leaderOf(order, 1))!;
    const m = member(self);
    m.start(undefined);
    const leader = leaderOf(order, 1);
    const notLeader = order.find((x) => x !== leader && x !== self)!;
    const good = message(leader, RotationalKind.Proposal, 1, proposalBody(new Uint8Array(32).fill(3)));
    const forged = Uint8Array.from(good);
    forged[forged.length - 1]! ^= 1;
    const inputs = [
      new Uint8Array([1, 2, 3]),
      new Uint8Array(5000),
      Uint8Array.from([9, ...good.subarray(1)]),
      message(
        leader,
        RotationalKind.Proposal,
        1,
        proposalBody(new Uint8Array(32)),
        new Uint8Array(32).fill(8),
      ),
      forged,
      message(notLeader, RotationalKind.Proposal, 1, proposalBody(new Uint8Array(32).fill(4))),
      message(leader, RotationalKind.Proposal, 50, proposalBody(new Uint8Array(32).fill(4))),
      message(leader, RotationalKind.Proposal, 1, proposalBody(new Uint8Array(5))),
      good,
      good,
    ];
    for (const bytes of inputs) expect(() => m.handle(bytes)).not.toThrow();
    expect(m.drops()).toMatchObject({
      malformed: 1,
      oversized: 1,
      'unsupported-version': 1,
      'wrong-instance': 1,
      'bad-signature': 1,
      'not-leader': 1,
      'future-round-flood': 1,
      'invalid-value': 1,
      replayed: 1,
    });
  });

  it('refuses an instance id that is not 32 bytes, saying so, for both protocols', () => {
    for (const create of [createRotationalInstance, createQbftInstance]) {
      for (const length of [0, 31, 33]) {
        expect(() =>
          create({
            n,
            t,
            self: 1,
            instance: new Uint8Array(length),
            leaderSeed,
            valueType: simValueType,
            scheme: createSimScheme(n, t, 1, 1),
            auth: createSimAuth(n, 1, 1),
            guard: createMemoryGuard(),
          }),
        ).toThrow(/instance must be 32 bytes/);
      }
    }
  });

  it('never throws on arbitrary bytes', () => {
    const m = member(1);
    m.start(new Uint8Array(32).fill(1));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        m.handle(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
