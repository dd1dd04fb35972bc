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
