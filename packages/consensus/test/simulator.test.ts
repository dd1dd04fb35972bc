// The simulator's shortcuts must not change what it reports, and its stand-in crypto must keep the
// properties the protocols rely on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rotationalProtocol } from '../src/index.ts';
import {
  createSimAuth,
  createSimScheme,
  SIM_SIGNATURE_BYTES,
  SimPartial,
  simulateInstance,
  simValueType,
} from '../src/sim/index.ts';
import { randomScenario } from './helpers/scenarios.ts';

describe('skipping deliveries a decided member would ignore', () => {
  it('gives the same report as delivering them, over random fault scenarios with restarts', () => {
    let skipped = 0;
    for (let i = 0; i < 60; i++) {
      const a = simulateInstance(randomScenario(rotationalProtocol, i), i);
      const b = simulateInstance(
        { ...randomScenario(rotationalProtocol, i), skipDeliveriesOnceDecided: false },
        i,
      );
      expect(a, `scenario ${i}`).toEqual(b);
      if (a.firstDecisionMs !== undefined) skipped++;
    }
    expect(skipped).toBeGreaterThan(30);
  });

  it('is off when members pay a processing cost per message (a dropped message still costs it)', () => {
    const network = { latencyMs: 50, jitterMs: 10, processingMs: 0.5 };
    for (let i = 0; i < 10; i++) {
      const config = { n: 16, t: 11, seed: 5, network, protocol: rotationalProtocol };
      expect(simulateInstance(config, i)).toEqual(
        simulateInstance({ ...config, skipDeliveriesOnceDecided: false }, i),
      );
    }
  });
});

describe('stand-in crypto', () => {
  const n = 16;
  const t = 11;
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

  it('a message tag fails after any change of one bit, and under another member', () => {
    fc.assert(
      fc.property(bytes(1, 300), fc.nat(), fc.integer({ min: 1, max: n }), (payload, bit, member) => {
        const auth = createSimAuth(n, 1, member);
        const tag = auth.sign(payload);
        expect(auth.verify(member, payload, tag)).toBe(true);
        const flipped = Uint8Array.from(payload);
        flipped[(bit >> 3) % flipped.length]! ^= 1 << (bit & 7);
        expect(auth.verify(member, flipped, tag)).toBe(false);
        expect(auth.verify((member % n) + 1, payload, tag)).toBe(false);
      }),
    );
  });

  it('without immutableInputs, a buffer changed in place after a check is judged afresh', () => {
    const auth = createSimAuth(n, 1, 3);
    const payload = new Uint8Array(64).fill(7);
    const tag = auth.sign(payload);
    expect(auth.verify(3, payload, tag)).toBe(true);
    payload[10] = 8;
    expect(auth.verify(3, payload, tag)).toBe(false);
  });

  it("partials verify only as their signer's, on their root; garbage fails", () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(96, 96), fc.integer({ min: 1, max: n }), (value, garbage, member) => {
        const root = simValueType.signingRoot(value);
        const scheme = createSimScheme(n, t, 2, member);
        const partial = scheme.signPartial(root);
        expect(scheme.verifyPartial(member, root, partial)).toBe(true);
        expect(scheme.verifyPartial((member % n) + 1, root, partial)).toBe(false);
        const other = Uint8Array.from(root);
        other[0]! ^= 1;
        expect(scheme.verifyPartial(member, other, partial)).toBe(false);
        expect(scheme.verifyPartial(member, root, new SimPartial(garbage))).toBe(false);
        expect(scheme.encodePartial(partial)).toHaveLength(SIM_SIGNATURE_BYTES);
        // Decoded from its bytes (not the object signPartial made), it still verifies.
        const decoded = scheme.decodePartial(Uint8Array.from(scheme.encodePartial(partial)));
        expect(scheme.verifyPartial(member, root, decoded)).toBe(true);
        expect(() => scheme.decodePartial(garbage.subarray(0, 32))).toThrow();
      }),
    );
  });

  it('a combined signature needs t distinct valid partials on its root', () => {
    const root = simValueType.signingRoot(new Uint8Array(32).fill(1));
    const schemes = Array.from({ length: n + 1 }, (_, j) => createSimScheme(n, t, 4, j));
    const partials = Array.from({ length: n }, (_, i) => ({
      member: i + 1,
      partial: schemes[i + 1]!.signPartial(root),
    }));
    const good = schemes[1]!.combine(root, partials.slice(3, 3 + t));
    expect(schemes[2]!.verifyCombined(root, good)).toBe(true);
    expect(good).toHaveLength(SIM_SIGNATURE_BYTES);
    // Like a threshold BLS signature: the same whichever t members' partials made it.
    expect(schemes[3]!.combine(root, partials.slice(0, t))).toEqual(good);
    // A garbage partial among t makes a signature that does not verify.
    const withGarbage = [
      ...partials.slice(0, t - 1),
      { member: t, partial: new SimPartial(new Uint8Array(96).fill(5)) },
    ];
    expect(schemes[2]!.verifyCombined(root, schemes[1]!.combine(root, withGarbage))).toBe(false);
    expect(schemes[2]!.verifyCombined(simValueType.signingRoot(new Uint8Array(32)), good)).toBe(false);
    expect(schemes[2]!.verifyCombined(root, schemes[1]!.combine(root, partials.slice(0, t - 1)))).toBe(false);
    // The same member twice instead of t distinct ones.
    const twice = schemes[1]!.combine(root, [...partials.slice(0, t - 1), partials[0]!]);
    expect(schemes[2]!.verifyCombined(root, twice)).toBe(false);
    // A flipped bit.
    const bad = Uint8Array.from(good);
    bad[bad.length - 1]! ^= 1;
    expect(schemes[2]!.verifyCombined(root, bad)).toBe(false);
  });

  it('a t-of-n signature is not one for another threshold', () => {
    const root = simValueType.signingRoot(new Uint8Array(32).fill(3));
    const five = Array.from({ length: n + 1 }, (_, j) => createSimScheme(n, 5, 4, j));
    const partials = Array.from({ length: 5 }, (_, i) => ({
      member: i + 1,
      partial: five[i + 1]!.signPartial(root),
    }));
    const signature = five[1]!.combine(root, partials);
    expect(five[2]!.verifyCombined(root, signature)).toBe(true);
    expect(createSimScheme(n, t, 4, 2).verifyCombined(root, signature)).toBe(false);
  });

  it('without immutable inputs, results handed out may be changed by the caller and checks stay right', () => {
    const root = simValueType.signingRoot(new Uint8Array(32).fill(1));
    const schemes = Array.from({ length: n + 1 }, (_, j) => createSimScheme(n, t, 4, j));
    const partials = Array.from({ length: n }, (_, i) => ({
      member: i + 1,
      partial: schemes[i + 1]!.signPartial(root),
    }));
    const handed = schemes[1]!.combine(root, partials.slice(0, t));
    const genuine = Uint8Array.from(handed);
    handed[0]! ^= 1;
    expect(schemes[2]!.verifyCombined(root, handed)).toBe(false);
    expect(schemes[2]!.verifyCombined(root, genuine)).toBe(true);
    // A signing root and a partial changed by whoever received them.
    const value = new Uint8Array(32).fill(9);
    const r1 = simValueType.signingRoot(value);
    const before = Uint8Array.from(r1);
    r1[0]! ^= 1;
    expect(simValueType.signingRoot(value)).toEqual(before);
    const mine = schemes[5]!.signPartial(root);
    const bytes = Uint8Array.from(schemes[5]!.encodePartial(mine));
    schemes[5]!.encodePartial(mine)[0]! ^= 1;
    expect(schemes[7]!.verifyPartial(5, root, schemes[7]!.decodePartial(bytes))).toBe(true);
  });

  it('distinct values have distinct signing roots', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(32, 32), (a, b) => {
        fc.pre(a.some((x, i) => x !== b[i]));
        expect(simValueType.signingRoot(a)).not.toEqual(simValueType.signingRoot(b));
      }),
    );
  });
});
