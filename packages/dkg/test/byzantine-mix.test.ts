// Random mixes of Byzantine members (fast-check): honest members either all finish with the same key
// or all abort naming culprits; never two different keys. Up to f = 2 of 7 in the property, and one
// 16-member run with f = 5 mixed strategies.

import { evaluatePolynomial } from '@diva-dvt/bls-threshold';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CeremonyConfig } from '../src/index.ts';
import { ComplaintReason, ComplaintsBodyType, decodeEnvelope, MessageKind } from '../src/wire.ts';
import { craftComplaints, craftDealing, craftJustification, kindOf } from './helpers/byzantine.ts';
import {
  createOperators,
  freshConfig,
  type Interceptor,
  type Operator,
  runCeremony,
} from './helpers/network.ts';

const STRATEGIES = [
  'silent',
  'offline-complain',
  'offline-justify',
  'bad-share-justified',
  'bad-share-no-justify',
  'bad-share-wrong-justify',
  'bad-proof',
  'equivocate',
  'false-complaint',
] as const;
type Strategy = (typeof STRATEGIES)[number];

interface Plan {
  readonly offline: Map<number, 'deal' | 'complain' | 'justify' | 'finish'>;
  readonly intercepts: Map<number, Interceptor>;
}

function plan(
  config: CeremonyConfig,
  ops: readonly Operator[],
  byzantine: Map<number, Strategy>,
  seed: number,
): Plan {
  const offline = new Map<number, 'deal' | 'complain' | 'justify' | 'finish'>();
  const intercepts = new Map<number, Interceptor>();
  const n = ops.length;
  for (const [i, s] of byzantine) {
    const op = ops[i]!;
    const victims = [((i + 1) % n) + 1, ((i + 3) % n) + 1];
    const dealing = (opts: Parameters<typeof craftDealing>[2]) => craftDealing(config, op, opts);
    const replaceDealing =
      (envelope: (to: number) => Uint8Array, justification?: () => Uint8Array[]): Interceptor =>
      (_from, to, bytes) => {
        const kind = kindOf(bytes);
        if (kind === MessageKind.Dealing) return [envelope(to)];
        if (kind === MessageKind.Forward) return [];
        if (kind === MessageKind.Justification) return justification ? justification() : [];
        return [bytes];
      };
    switch (s) {
      case 'silent':
        offline.set(i, 'deal');
        break;
      case 'offline-complain':
        offline.set(i, 'complain');
        break;
      case 'offline-justify':
        offline.set(i, 'justify');
        break;
      case 'bad-share-justified':
      case 'bad-share-no-justify':
      case 'bad-share-wrong-justify': {
        // Off-by-one shares to the victims; then a right, a missing or a wrong justification.
        const d = dealing({
          seed: `${seed}/${i}`,
          shareFor: (j, _v, h) => (victims.includes(j) ? h + 1n : h),
        });
        const reveal = (share: (j: number) => bigint) => () => [
          craftJustification(
            config,
            op,
            victims.map((j) => ({ recipient: j, shares: [share(j)] })),
          ),
        ];
        const justification =
          s === 'bad-share-justified'
            ? reveal((j) => evaluatePolynomial(d.polynomials[0]!, j))
            : s === 'bad-share-wrong-justify'
              ? reveal(() => 42n)
              : undefined;
        intercepts.set(
          i,
          replaceDealing(() => d.envelope, justification),
        );
        break;
      }
      case 'bad-proof': {
        const d = dealing({ seed: `${seed}/${i}`, badProof: true });
        intercepts.set(
          i,
          replaceDealing(() => d.envelope),
        );
        break;
      }
      case 'equivocate': {
        const a = dealing({ seed: `${seed}/${i}/a` });
        const b = dealing({ seed: `${seed}/${i}/b` });
        intercepts.set(
          i,
          replaceDealing((to) => (to % 2 === 0 ? a.envelope : b.envelope)),
        );
        break;
      }
      case 'false-complaint':
        intercepts.set(i, (_from, _to, bytes) => {
          if (kindOf(bytes) !== MessageKind.Complaints) return [bytes];
          const { digests } = ComplaintsBodyType.deserialize(decodeEnvelope(bytes).body);
          return [
            craftComplaints(
              config,
              op,
              digests,
              victims.map((dealer) => ({ dealer, reason: ComplaintReason.BadShare })),
            ),
          ];
        });
        break;
    }
  }
  return { offline, intercepts };
}

function runMix(n: number, t: number, byzantine: Map<number, Strategy>, label: string, seed: number) {
  const ops = createOperators(n, label);
  const config = freshConfig(ops, t, 1, `${label}/${seed}`);
  const p = plan(config, ops, byzantine, seed);
  const run = runCeremony(config, ops, {
    offline: p.offline,
    intercept: (from, to, bytes) => (p.intercepts.get(from) ?? ((_f, _t, b) => [b]))(from, to, bytes),
  });
  const honest = ops.map((_, i) => i).filter((i) => !byzantine.has(i));
  const finished = honest.filter((i) => run.members[i]!.phase() === 'done');
  const aborted = honest.filter((i) => run.members[i]!.phase() === 'aborted');
  const keys = new Set(finished.map((i) => run.members[i]!.result()!.validators[0]!.groupPublicKey.toHex()));
  return { run, honest, finished, aborted, keys };
}

describe('random Byzantine mixes', () => {
  it('never yields two keys; honest members all finish or all abort naming culprits (n = 7, f <= 2)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 2 }),
        fc.array(fc.constantFrom(...STRATEGIES), { minLength: 2, maxLength: 2 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (who, what, seed) => {
          const byzantine = new Map(who.map((i, k) => [i, what[k]!]));
          const { honest, finished, aborted, keys, run } = runMix(7, 5, byzantine, 'mix7', seed);
          expect(keys.size).toBeLessThanOrEqual(1);
          expect(finished.length + aborted.length).toBe(honest.length);
          expect(finished.length === honest.length || aborted.length === honest.length).toBe(true);
          for (const i of aborted) {
            const e = run.members[i]!.error()!;
            expect(['NOT_ENOUGH_QUALIFIED', 'TRANSCRIPT_MISMATCH']).toContain(e.code);
          }
          for (const i of finished) {
            const r = run.members[i]!.result()!;
            const v = r.validators[0]!;
            expect(v.secretShare?.toPublicKey().equals(v.publicShares[r.shareIndex! - 1]!)).toBe(true);
          }
        },
      ),
      { numRuns: 10, seed: 20261125 },
    );
  });

  it('16 members with 5 Byzantine of mixed strategies finish with one key', () => {
    const byzantine = new Map<number, Strategy>([
      [0, 'equivocate'],
      [3, 'bad-share-no-justify'],
      [7, 'bad-proof'],
      [10, 'false-complaint'],
      [14, 'silent'],
    ]);
    const { honest, finished, keys, run } = runMix(16, 11, byzantine, 'mix16', 1);
    expect(finished).toEqual(honest);
    expect(keys.size).toBe(1);
    const qualified = run.members[honest[0]!]!.result()!.qualified;
    expect(qualified).not.toContain(1);
    expect(qualified).not.toContain(4);
    expect(qualified).not.toContain(8);
    expect(qualified).not.toContain(15);
    expect(qualified).toContain(11);
  });
});
