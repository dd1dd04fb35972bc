import type { Core } from './core.ts';
import type { ConsensusInstance } from './types.ts';

/**
 * The instance surface both protocols share: `start` takes the own value once and enters round 1,
 * `handle` feeds one message, `timeout(r)` moves to round r + 1 if r is current and undecided.
 */
export function instanceApi<V, P, S>(
  core: Core<V, P, S>,
  protocol: {
    begin(ownValue: V | undefined): void;
    dispatch(bytes: Uint8Array): void;
    round(): number;
    enterRound(round: number): void;
    describe(): string;
  },
): ConsensusInstance<V, S> {
  let started = false;
  return {
    start(ownValue) {
      if (started) return core.flush();
      started = true;
      core.event({ type: 'round', round: 1 });
      core.timer(1);
      protocol.begin(ownValue);
      return core.flush();
    },
    handle(bytes) {
      protocol.dispatch(bytes);
      return core.flush();
    },
    timeout(r) {
      if (r === protocol.round() && !core.decision()) protocol.enterRound(r + 1);
      return core.flush();
    },
    round: () => protocol.round(),
    decision: () => core.decision(),
    drops: () => core.drops(),
    describe: () => `${started ? 'S' : '-'} ${protocol.describe()} ${core.describe()}`,
  };
}
