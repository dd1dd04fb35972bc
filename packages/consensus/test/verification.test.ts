// Partial verification on combination ('on-combine'): one check of the combined signature replaces
// t checks of partials when all are good; bad partials are found and dropped when a combination
// fails; evidence is still only made of valid partials; safety and liveness are unchanged.
import { describe, expect, it } from 'vitest';
import {
  createRotationalInstance,
  type PartialScheme,
  qbftProtocol,
  ROTATIONAL_PROTOCOL,
  RotationalKind,
  rotationalProtocol,
  verifyEvidence,
} from '../src/index.ts';
import {
  attachSignature,
  createMemoryGuard,
  createSimAuth,
  createSimScheme,
  encodeUnsigned,
  SIM_SIGNATURE_BYTES,
  SimPartial,
  type SimSignature,
  simulateInstance,
  simValueType,
} from '../src/sim/index.ts';
import { randomScenario } from './helpers/scenarios.ts';

const n = 16;
const t = 11;

/** The stand-in scheme, counting partial and combined checks. */
function counting(member: number, counts: { partial: number; combined: number }) {
  const inner = createSimScheme(n, t, 1, member);
  const scheme: PartialScheme<SimPartial, SimSignature> = {
    ...inner,
    verifyPartial: (m, root, p) => {
      counts.partial++;
      return inner.verifyPartial(m, root, p);
    },
    verifyCombined: (root, s) => {
      counts.combined++;
      return inner.verifyCombined(root, s);
    },
  };
  return scheme;
}

const instance = new Uint8Array(32).fill(7);
const leaderSeed = new Uint8Array(32).fill(8);
const value = new Uint8Array(32).fill(9);
const root = simValueType.signingRoot(value);

function member(
  self: number,
  counts: { partial: number; combined: number },
  mode: 'on-arrival' | 'on-combine',
) {
  return createRotationalInstance({
    n,
    t,
    self,
    instance,
    leaderSeed,
    valueType: simValueType,
    scheme: counting(self, counts),
    auth: createSimAuth(n, 1, self),
    guard: createMemoryGuard(),
    partialVerification: mode,
  });
}

/** A vote of `from` on `root` carrying `partial`, as the wire carries it. */
function vote(from: number, partial: Uint8Array | SimPartial, onRoot = root, round = 1) {
  if (partial instanceof SimPartial) partial = partial.bytes;
  const body = new Uint8Array(32 + 4 + partial.length);
  body.set(onRoot);
  new DataView(body.buffer).setUint32(32, partial.length);
  body.set(partial, 36);
  const signed = encodeUnsigned(ROTATIONAL_PROTOCOL, RotationalKind.Vote, instance, round, from, body);
  return attachSignature(signed, createSimAuth(n, 1, from).sign(signed));
}
const partialOf = (m: number, on = root) => createSimScheme(n, t, 1, m).signPartial(on);

describe("partialVerification: 'on-combine'", () => {
  it('decides after t good partials with one combined check and no partial check', () => {
    for (const mode of ['on-arrival', 'on-combine'] as const) {
      const counts = { partial: 0, combined: 0 };
      const m = member(16, counts, mode);
      m.start(value);
      for (let from = 1; from <= t; from++) m.handle(vote(from, partialOf(from)));
      expect(m.decision()?.root).toEqual(root);
      if (mode === 'on-combine') expect(counts).toEqual({ partial: 0, combined: 1 });
      else expect(counts.partial).toBeGreaterThanOrEqual(t - 1);
    }
  });

  it('finds and drops bad partials when the combination fails, then decides on the good ones', () => {
    const counts = { partial: 0, combined: 0 };
    const m = member(16, counts, 'on-combine');
    m.start(value);
    // Well-formed (96 bytes, so it passes decoding) but not member 3's partial.
    const garbage = new Uint8Array(SIM_SIGNATURE_BYTES).fill(1);
    for (let from = 1; from <= t; from++) m.handle(vote(from, from === 3 ? garbage : partialOf(from)));
    expect(m.decision()).toBeUndefined(); // 10 good ones: not enough
    expect(m.drops()['invalid-partial']).toBe(1);
    m.handle(vote(12, partialOf(12)));
    expect(m.decision()?.root).toEqual(root);
    // The bad sender may still send a valid partial later (a different message).
    const again = member(15, { partial: 0, combined: 0 }, 'on-combine');
    again.start(value);
    again.handle(vote(3, garbage));
    for (let from = 4; from <= t + 2; from++) again.handle(vote(from, partialOf(from)));
    expect(again.decision()).toBeUndefined();
    again.handle(vote(3, partialOf(3), root, 2));
    expect(again.decision()?.root).toEqual(root);
  });

  it('makes evidence of two valid partials on different roots, not of a garbage one', () => {
    const other = simValueType.signingRoot(new Uint8Array(32).fill(10));
    const events: { kind: string; member: number; messages: readonly [Uint8Array, Uint8Array] }[] = [];
    const m = member(16, { partial: 0, combined: 0 }, 'on-combine');
    const collect = (out: ReturnType<typeof m.handle>) => {
      for (const e of out.events) if (e.type === 'evidence') events.push(e.evidence);
    };
    m.start(value);
    collect(m.handle(vote(5, partialOf(5))));
    collect(m.handle(vote(5, new Uint8Array(SIM_SIGNATURE_BYTES).fill(2), other))); // garbage on a second root
    expect(events).toHaveLength(0);
    expect(m.drops()['invalid-partial']).toBe(1);
    collect(m.handle(vote(5, partialOf(5, other), other, 2))); // a valid one on the second root
    expect(events).toHaveLength(1);
    expect(events[0]!.member).toBe(5);
    expect(verifyEvidence(events[0] as never, createSimAuth(n, 1, 5), simValueType.signingRoot)).toBe(true);
  });

  it.each([
    ['rotational', rotationalProtocol, 160],
    ['qbft', qbftProtocol, 30],
  ] as const)(
    '%s keeps agreement and valid signatures over random fault scenarios',
    (_name, protocol, count) => {
      let decided = 0;
      for (let i = 0; i < count; i++) {
        const r = simulateInstance({ ...randomScenario(protocol, i), partialVerification: 'on-combine' }, i);
        expect(r.agreement, `scenario ${i}`).toBe(true);
        expect(r.signaturesValid, `scenario ${i}`).toBe(true);
        if (r.firstDecisionMs !== undefined) decided++;
      }
      expect(decided).toBeGreaterThan(count * 0.7);
    },
  );

  it('decides like on-arrival members when some members send bad partials', () => {
    for (let i = 0; i < 40; i++) {
      const config = {
        protocol: rotationalProtocol,
        n,
        t,
        seed: 3,
        network: { latencyMs: 50, jitterMs: 10 },
        faults: {
          byzantine: new Map([
            [2, 'bad-partials' as const],
            [9, 'bad-partials' as const],
          ]),
        },
      };
      const eager = simulateInstance(config, i);
      const lazy = simulateInstance({ ...config, partialVerification: 'on-combine' }, i);
      expect(lazy.agreement && lazy.signaturesValid).toBe(true);
      expect(lazy.firstDecisionMs, `scenario ${i}`).toBeDefined();
      expect(lazy.decisions.filter(Boolean).length).toBe(eager.decisions.filter(Boolean).length);
    }
  });
});
