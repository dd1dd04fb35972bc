// Resharing keeps the group key and changes the committee: same committee with 3 members replaced,
// 16 -> 19 members, and 11-of-16 -> 7-of-10. The new shares sign; old shares mixed with new ones do not.
import * as blst from '@chainsafe/blst';
import {
  combinePartialSignatures,
  createBls,
  createBlstBackend,
  createSeededRandom,
  type PartialSignature,
  SecretKey,
} from '@diva-dvt/bls-threshold';
import { describe, expect, it } from 'vitest';
import { type CeremonyConfig, type DkgEvent, type DkgResult, importWithTrustedDealer } from '../src/index.ts';
import { ceremonyId, createOperators, type Operator, runCeremony } from './helpers/network.ts';

const native = createBls({ backend: createBlstBackend(blst) });
const message = new TextEncoder().encode('voluntary exit signing root');

// The old committee: 16 operators holding an 11-of-16 split of one validator key.
const old = createOperators(16, 'reshare-old');
const fresh = createOperators(3, 'reshare-new');
const validatorKey = SecretKey.random(createSeededRandom('reshare-key'));
const before = importWithTrustedDealer({
  ceremonyId: ceremonyId('genesis'),
  secretKeys: [validatorKey],
  threshold: 11,
  shareCount: 16,
  random: createSeededRandom('reshare-split'),
});
const groupKey = before[0]!.validators[0]!.groupPublicKey;

function reshare(
  label: string,
  recipients: readonly Operator[],
  threshold: number,
  offlineOld: number[] = [],
  lostShares: number[] = [],
  onEvents?: (member: number, events: readonly DkgEvent[]) => void,
) {
  const config: CeremonyConfig = {
    ceremonyId: ceremonyId(label),
    threshold,
    validatorCount: 1,
    recipients: recipients.map((o) => o.participant),
    dealers: old.map((o) => o.participant),
    reshare: {
      previousThreshold: 11,
      validators: [{ groupPublicKey: groupKey, publicShares: before[0]!.validators[0]!.publicShares }],
    },
  };
  const operators = [...old, ...recipients.filter((r) => !old.includes(r))];
  const offline = new Map(offlineOld.map((i) => [i, 'deal' as const]));
  const options = { offline, recipientOnly: new Set(lostShares), ...(onEvents ? { onEvents } : {}) };
  const run = runCeremony(config, operators, options, (i) =>
    i < old.length && !lostShares.includes(i) ? [before[i]!.validators[0]!.secretShare!] : undefined,
  );
  const results = recipients.map((r) => run.members[operators.indexOf(r)]!.result());
  return { run, results, operators };
}

function partialsOf(results: readonly (DkgResult | undefined)[]): PartialSignature[] {
  return results.map((r) => ({
    shareIndex: r!.shareIndex!,
    signature: native.sign(r!.validators[0]!.secretShare!, message),
  }));
}

function expectSameKeyAndSigning(results: readonly (DkgResult | undefined)[], t: number) {
  expect(results.every((r) => r?.validators[0]?.secretShare)).toBe(true);
  for (const r of results) expect(r!.validators[0]!.groupPublicKey.equals(groupKey)).toBe(true);
  const partials = partialsOf(results);
  const sig = combinePartialSignatures(partials.slice(0, t), { threshold: t });
  expect(native.verify(groupKey, message, sig)).toBe(true);
  const reversed = combinePartialSignatures([...partials].reverse().slice(0, t), { threshold: t });
  expect(native.verify(groupKey, message, reversed)).toBe(true);
}

describe('resharing', () => {
  it('replaces 3 members of the committee, keeping the group key (the 3 leaving members do not deal)', () => {
    const recipients = [...old.slice(0, 13), ...fresh];
    const { results, run } = reshare('replace-3', recipients, 11, [13, 14, 15]);
    expectSameKeyAndSigning(results, 11);
    expect(run.members[0]!.result()!.qualified).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    // Old shares mixed with new ones do not combine: 6 new partials + 5 old partials at the same indices.
    const newPartials = partialsOf(results);
    const oldPartials = before.slice(0, 16).map((r) => ({
      shareIndex: r.shareIndex!,
      signature: native.sign(r.validators[0]!.secretShare!, message),
    }));
    const mixed = [...newPartials.slice(0, 6), ...oldPartials.slice(6, 11)];
    expect(native.verify(groupKey, message, combinePartialSignatures(mixed, { threshold: 11 }))).toBe(false);
  });

  it('does not wait out the justify phase for dealers absent in every view (nothing can answer for them)', () => {
    const recipients = [...old.slice(0, 13), ...fresh];
    // the phases each member entered within one call: justify and finish together = no justify timeout
    const steps: string[][] = [];
    const { results } = reshare('absent-dealers', recipients, 11, [13, 14, 15], [], (_, events) => {
      const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
      if (phases.includes('justify')) steps.push(phases);
    });
    expectSameKeyAndSigning(results, 11);
    expect(steps).toHaveLength(16);
    for (const phases of steps) expect(phases).toEqual(['justify', 'finish']);
  });

  it('an old member that lost its share deals nothing and still receives a working new share', () => {
    const recipients = [...old.slice(0, 13), ...fresh];
    const { results, run } = reshare('lost-share', recipients, 11, [13, 14, 15], [2]);
    expectSameKeyAndSigning(results, 11);
    expect(results[2]!.shareIndex).toBe(3);
    // Its new share is among t that sign: indices 3..13.
    const partials = partialsOf(results).slice(2, 13);
    expect(native.verify(groupKey, message, combinePartialSignatures(partials, { threshold: 11 }))).toBe(
      true,
    );
    const qualified = Array.from({ length: 13 }, (_, i) => i + 1).filter((d) => d !== 3);
    for (const i of [0, 2, 12]) expect(run.members[i]!.result()!.qualified).toEqual(qualified);
  });

  it('refuses to take part without dealing unless it is a recipient of a resharing', () => {
    const config: CeremonyConfig = {
      ceremonyId: ceremonyId('lost-leaver'),
      threshold: 2,
      validatorCount: 1,
      recipients: fresh.map((o) => o.participant),
      dealers: old.map((o) => o.participant),
      reshare: {
        previousThreshold: 11,
        validators: [{ groupPublicKey: groupKey, publicShares: before[0]!.validators[0]!.publicShares }],
      },
    };
    expect(() => runCeremony(config, [old[0]!], { recipientOnly: new Set([0]) })).toThrow(/recipientOnly/);
  });

  it('grows the committee from 16 to 19 members (t = 13)', () => {
    const { results } = reshare('grow-19', [...old, ...fresh], 13);
    expectSameKeyAndSigning(results, 13);
    expect(results.map((r) => r!.shareIndex)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });

  it('moves from 11-of-16 to 7-of-10; old-only members receive no share', () => {
    const recipients = [...old.slice(3, 10), ...fresh];
    const { results, run, operators } = reshare('shrink-10', recipients, 7);
    expectSameKeyAndSigning(results, 7);
    const six = combinePartialSignatures(partialsOf(results).slice(0, 6), { threshold: 6 });
    expect(native.verify(groupKey, message, six)).toBe(false);
    for (const i of [0, 1, 2, 10, 11, 12, 13, 14, 15]) {
      const r = run.members[operators.indexOf(old[i]!)]!.result();
      expect(r?.shareIndex).toBeUndefined();
      expect(r?.validators[0]?.secretShare).toBeUndefined();
      expect(r?.validators[0]?.groupPublicKey.equals(groupKey)).toBe(true);
    }
  });
});
