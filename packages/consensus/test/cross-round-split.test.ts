// Issue 14, item 3: the cross-round split. A Byzantine round-1 leader sends A to five honest members
// (whose votes reach everyone); the Byzantine round-2 leader sends B to the other six. Proposals of
// rounds >= 2 used to be checked only to come from the round's leader: the six signed B, and with
// five honest members on A and six on B nothing could ever reach t = 11 (the Byzantine members sign
// neither), without evidence against anyone. Now a proposal of round >= 2 is voted on only with its
// justification (t round changes of that round, and the partials that make the value the right
// choice), and only when no other root holds more verified partials: B, with
// none against A's five, is refused, whether sent bare or with the strongest justification the
// Byzantine members can build (six honest empty round changes and five of their own); the honest
// round-3 leader proposes A and all decide.
import { describe, expect, it } from 'vitest';
import { lengthPrefixed, writeFields } from '../src/codec.ts';
import {
  type ConsensusInstance,
  type ConsensusOutput,
  createRotationalInstance,
  leaderOrder,
  qbftProtocol,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
  rotationalProtocol,
} from '../src/index.ts';
import {
  attachSignature,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  encodeUnsigned,
  type SimSignature,
  simulateInstance,
  simValueType,
} from '../src/sim/index.ts';
import { crossRoundSplitFaults } from './helpers/scenarios.ts';

const n = 16;
const t = 11;
const instance = new Uint8Array(32).fill(0x31);
const leaderSeed = new Uint8Array(32).fill(0x32);
const order = leaderOrder(n, instance, leaderSeed);
// Leaders of rounds 1 and 2 and three members that lead late are Byzantine; round 3's leader is honest.
const byzantine = [order[0]!, order[1]!, order[13]!, order[14]!, order[15]!];
const honest = order.filter((m) => !byzantine.includes(m));
const signersOfA = honest.slice(0, 5);
const targets = honest.slice(5);
const valueA = new Uint8Array(32).fill(0xa);
const valueB = new Uint8Array(32).fill(0xb);
const own = new Uint8Array(32).fill(0xd);
const rootA = simValueType.signingRoot(valueA).join(',');

function signed(from: number, kind: number, round: number, body: Uint8Array): Uint8Array {
  const bytes = encodeUnsigned(ROTATIONAL_PROTOCOL, kind, instance, round, from, body);
  return attachSignature(bytes, createSimAuth(n, 1, from).sign(bytes));
}

/** Runs the attack; `justify` decides what the round-2 leader sends along with B. */
function attack(justify: 'bare' | 'forged') {
  const members = new Map<number, ConsensusInstance<Uint8Array, SimSignature>>();
  for (const m of honest)
    members.set(
      m,
      createRotationalInstance({
        n,
        t,
        self: m,
        instance,
        leaderSeed,
        valueType: simValueType,
        scheme: createSimScheme(n, t, 1, m),
        auth: createSimAuth(n, 1, m),
        guard: createMemoryGuard(),
      }),
    );
  const queue: { to: number; bytes: Uint8Array }[] = [];
  const sent: { from: number; bytes: Uint8Array }[] = [];
  const emit = (from: number, out: ConsensusOutput<Uint8Array, SimSignature>) => {
    for (const { bytes } of out.messages) {
      sent.push({ from, bytes });
      for (const to of honest) if (to !== from) queue.push({ to, bytes });
    }
  };
  const run = () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      emit(next.to, members.get(next.to)!.handle(next.bytes));
  };
  for (const [m, inst] of members) emit(m, inst.start(own));
  // Round 1: A reaches five honest members only; their votes reach every honest member.
  const proposalA = signed(byzantine[0]!, RotationalKind.Proposal, 1, lengthPrefixed(valueA));
  for (const m of signersOfA) queue.push({ to: m, bytes: proposalA });
  run();
  for (const [m, inst] of members) emit(m, inst.timeout(1));
  run();
  // Round 2: B to the six others.
  const proposalB = signed(byzantine[1]!, RotationalKind.Proposal, 2, lengthPrefixed(valueB));
  for (const m of targets) {
    if (justify === 'forged') {
      // t round changes of round 2 that claim nothing: the six targets' own and five forged.
      const empty = sent
        .filter((s) => targets.includes(s.from) && s.bytes[2] === RotationalKind.RoundChange)
        .map((s) => s.bytes);
      const forged = byzantine.map((b) => signed(b, RotationalKind.RoundChange, 2, writeFields({ u8: 0 })));
      const rcs = [...empty, ...forged];
      const body = writeFields(
        { u8: rcs.length },
        ...rcs.map(lengthPrefixed),
        simValueType.signingRoot(valueB),
        {
          u8: 0,
        },
      );
      queue.push({ to: m, bytes: signed(byzantine[1]!, RotationalKind.Justification, 2, body) });
    }
    queue.push({ to: m, bytes: proposalB });
  }
  run();
  // Later rounds: everyone times out together until all decide (or round 8).
  for (let round = 2; round < 8; round++) {
    for (const [m, inst] of members)
      if (!inst.decision() && inst.round() === round) emit(m, inst.timeout(round));
    run();
  }
  const refused = targets.map((m) => members.get(m)!.drops().unjustified ?? 0);
  return { decided: [...members.values()].map((inst) => inst.decision()?.root.join(',')), refused };
}

describe('the cross-round split (a second Byzantine leader proposes another value)', () => {
  it('decides A when B is sent bare', () => {
    expect(attack('bare').decided).toEqual(honest.map(() => rootA));
  });

  it('decides A when B comes with a justification of round changes that claim nothing', () => {
    const { decided, refused } = attack('forged');
    expect(decided).toEqual(honest.map(() => rootA));
    // Each of the six refused B as not the right choice (A holds five partials, B none).
    expect(refused).toEqual(targets.map(() => 1));
  });
});

// The same attack as a simulator strategy (`cross-round-split`, the bench's figures), Byzantine
// members at the protocol's own leaders of rounds 1 and 2: before justified proposals the
// rotational protocol decided none of these duties (with 1 and with 5 Byzantine members).
describe.each([rotationalProtocol, qbftProtocol])(
  'the cross-round split in the simulator ($name)',
  (protocol) => {
    it.each([1, 5] as const)(
      'decides every attacked duty, in round 3, with %i Byzantine members',
      (byzantine) => {
        for (let i = 0; i < 30; i++) {
          let attacked = false;
          const faults = crossRoundSplitFaults(byzantine, 'targeted', (hit) => {
            attacked = hit;
          });
          const timeouts = { baseMs: 1000, growth: 1.5, maxMs: 8000 };
          const network = { latencyMs: 50, jitterMs: 10 };
          const r = simulateInstance(
            { protocol, n, t, seed: 5, network, timeouts, horizonMs: 12_000, faults },
            i,
          );
          expect(attacked).toBe(true);
          expect(r.agreement).toBe(true);
          expect(r.firstDecisionMs, `duty ${i}`).toBeDefined();
          // The attack was mounted: rounds 1 and 2 decided nothing. It leaves no evidence.
          expect(r.rounds).toBe(3);
          expect(r.accused).toEqual([]);
        }
      },
    );
  },
);
