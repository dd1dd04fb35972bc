// Random fault scenarios for the simulator, shared by the safety test and the full-run script.
import type { ProtocolDescriptor } from '../../src/index.ts';
import {
  BYZANTINE_STRATEGIES,
  type ByzantineStrategy,
  createRng,
  type Faults,
  type SimulationConfig,
} from '../../src/sim/index.ts';

export const N = 16;
export const T = 11;

/**
 * Scenario `i`: up to 5 Byzantine members with random strategies; half of the scenarios are the
 * split-brain attack (see `Faults.splitBrain`; the victim's own messages are lost for a while);
 * random loss, jitter, crashes and restarts.
 */
export function randomScenario(
  protocol: ProtocolDescriptor,
  i: number,
  guard: 'durable' | 'broken' = 'durable',
): SimulationConfig {
  const rng = createRng(0x5eed + i);
  const splitBrain = rng.next() < 0.5;
  const loss = rng.next() * 0.1;
  const jitter = 5 + rng.next() * 30;
  const faults = (leaders: readonly number[]): Faults => {
    const byzantine = new Map<number, ByzantineStrategy>();
    const count = rng.int(6);
    if (splitBrain) {
      // The Byzantine members lead rounds 1 and 2 and double-vote.
      byzantine.set(leaders[0]!, 'double-vote');
      byzantine.set(leaders[1]!, 'double-vote');
      while (byzantine.size < 5) byzantine.set(1 + rng.int(N), 'double-vote');
    } else {
      while (byzantine.size < count) {
        byzantine.set(1 + rng.int(N), BYZANTINE_STRATEGIES[rng.int(BYZANTINE_STRATEGIES.length)]!);
      }
    }
    const honest = Array.from({ length: N }, (_, k) => k + 1).filter((k) => !byzantine.has(k));
    const crashes = new Map<number, { atMs: number; restartMs?: number }>();
    for (const h of honest) {
      if (rng.next() < 0.1) {
        const at = rng.int(3000);
        crashes.set(h, rng.next() < 0.7 ? { atMs: at, restartMs: at + 10 + rng.int(2000) } : { atMs: at });
      }
    }
    if (!splitBrain) return { byzantine, crashes };
    // The victim alone gets enough A partials to decide A; its announcement is held back a while.
    const live = honest.filter((h) => !crashes.has(h));
    const victim = live[0]!;
    const minority = live.slice(1, Math.max(1, live.length - 5));
    return {
      byzantine,
      crashes,
      splitBrain: { victim, minority },
      mute: { member: victim, untilMs: 2000 + rng.int(6000) },
    };
  };
  return {
    protocol,
    n: N,
    t: T,
    seed: i,
    network: { latencyMs: 50, jitterMs: jitter, loss },
    faults,
    guard,
    timeouts: { baseMs: 600, growth: 1.5, maxMs: 6000 },
    horizonMs: 60_000,
  };
}

/**
 * The cross-round split (issue 14, item 3) as simulator faults, for a protocol's own leader order.
 * With `byzantine` 5, the leaders of rounds 1 and 2 (and of rounds 14-16) are Byzantine
 * (`cross-round-split`): round 1's sends A to the first half of the honest members in leader order
 * (side A), round 2's sends B to the others. With 1, only round 2's leader is Byzantine, and round
 * 1's (honest) leader is cut off from side B until 900 ms (before the round-1 timeout), so that its
 * proposal and the votes on it reach side A only. `placement: 'fixed'` instead makes members
 * 1, 4, 7, 10, 13 (the first `byzantine` of them) Byzantine whatever the order: the attack then
 * applies to the duties both of whose first leaders are among them (`attacked` says whether).
 */
export function crossRoundSplitFaults(
  byzantine: 1 | 5,
  placement: 'targeted' | 'fixed',
  attacked?: (hit: boolean) => void,
): (leaders: readonly number[], protocolLeaders: readonly number[]) => Faults {
  return (_leaders, order) => {
    const members =
      placement === 'fixed'
        ? [1, 4, 7, 10, 13].slice(0, byzantine)
        : byzantine === 1
          ? [order[1]!]
          : [order[0]!, order[1]!, order[13]!, order[14]!, order[15]!];
    const honestInOrder = order.filter((m) => !members.includes(m));
    const sideA = honestInOrder.slice(0, Math.floor(honestInOrder.length / 2));
    const cutOff = placement === 'targeted' && byzantine === 1;
    attacked?.(cutOff || (members.includes(order[0]!) && members.includes(order[1]!)));
    return {
      byzantine: new Map(members.map((m) => [m, 'cross-round-split' as const])),
      crossRoundSideA: sideA,
      ...(cutOff
        ? {
            partitions: [
              { startMs: 0, endMs: 900, groups: [sideA, order.filter((m) => !sideA.includes(m))] },
            ],
          }
        : {}),
    };
  };
}
