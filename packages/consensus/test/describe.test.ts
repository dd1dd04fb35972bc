// The contract the explorer's state merging rests on (ConsensusInstance.describe): two histories of
// one undecided member that end in the same description, having sent the same messages, answer every
// further input alike up to the decision. Histories are drawn at random from every message of the n = 4 exploration model
// (honest members and an equivocating, double-voting leader), in any order, with or without the
// round-1 timeout; pairs with equal descriptions get the same random continuations.
import { describe, expect, it } from 'vitest';
import { createRng } from '../src/sim/index.ts';
import { explorationModel, type Replayed } from './helpers/explorer.ts';

function poolOf(model: ReturnType<typeof explorationModel>, seed: number): string[] {
  // Random walks of the whole instance register every message members send.
  const rng = createRng(seed);
  for (let walk = 0; walk < 60; walk++) {
    const hists = new Map(model.honest.map((m) => [m, [] as string[]]));
    for (let step = 0; step < 40; step++) {
      const m = model.honest[rng.int(model.honest.length)]!;
      const pool = [
        ...(model.injected.get(m) ?? []),
        ...model.honest.filter((o) => o !== m).flatMap((o) => model.replay(o, hists.get(o)!).sent),
      ].filter((x) => !hists.get(m)!.includes(x));
      if (rng.int(6) === 0 && !hists.get(m)!.includes('T')) hists.get(m)!.push('T');
      else if (pool.length > 0) hists.get(m)!.push(pool[rng.int(pool.length)]!);
    }
  }
  return [...model.messages.keys()];
}

const outputsOf = (r: Replayed, from: number) => ({
  sent: r.sent.slice(from),
  decision: r.inst.decision()?.root,
  round: r.inst.round(),
  describe: r.inst.describe(),
});

describe('ConsensusInstance.describe (rotational)', () => {
  for (const [label, options] of [
    ['honest members', {}],
    ['an equivocating leader', { byzantineLeader: ['A', 'B', undefined] as const }],
  ] as const) {
    it(`identifies states that answer every continuation alike, with ${label}`, () => {
      const model = explorationModel(options);
      const pool = poolOf(model, 7);
      const rng = createRng(11);
      const randomEvents = (count: number) =>
        Array.from({ length: count }, () => (rng.int(5) === 0 ? 'T' : pool[rng.int(pool.length)]!));
      let compared = 0;
      for (const m of model.honest) {
        const groups = new Map<string, string[][]>();
        for (let k = 0; k < 2500; k++) {
          const hist = [...new Set(randomEvents(1 + rng.int(9)))];
          const r = model.replay(m, hist);
          const key = `${r.inst.describe()}|${[...r.sent].sort().join(',')}`;
          const group = groups.get(key) ?? [];
          groups.set(key, group);
          if (!group.some((h) => h.join() === hist.join())) group.push(hist);
        }
        for (const [key, group] of groups) {
          if (key.includes(' d[') && !key.includes(' d[-]')) continue; // decided: takes no input
          for (const other of group.slice(1, 6)) {
            const first = group[0]!;
            for (let c = 0; c < 3; c++) {
              const more = randomEvents(1 + rng.int(4));
              // As in the explorer, a member takes input until it decides (then only answers late
              // round changes, once per round, which depends on what it had processed before).
              const feed = (hist: string[]) => {
                const out = [...hist];
                for (const e of more) {
                  if (model.replay(m, out).inst.decision()) break;
                  if (!out.includes(e)) out.push(e);
                }
                return model.replay(m, out);
              };
              const a = feed(first);
              const b = feed(other);
              // The same new outputs, whichever history the member came from.
              expect(
                outputsOf(b, model.replay(m, other).sent.length),
                `member ${m}: ${first.join(' ')} vs ${other.join(' ')} then ${more.join(' ')}`,
              ).toEqual(outputsOf(a, model.replay(m, first).sent.length));
              compared++;
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(300);
    });
  }
});
