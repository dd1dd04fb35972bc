import { key } from '../bytes.ts';
import type { ProposalStore } from '../proposal-store.ts';

/**
 * A durable proposal store that survives the member's restarts, answering at once: one proposal per
 * (instance, round), the first recorded.
 */
export function createMemoryProposalStore(): ProposalStore {
  const recorded = new Map<string, Map<number, Uint8Array>>();
  return {
    record({ instance, round, message }) {
      const k = key(instance);
      let rounds = recorded.get(k);
      if (rounds === undefined) {
        rounds = new Map();
        recorded.set(k, rounds);
      }
      const before = rounds.get(round);
      if (before !== undefined) return before;
      rounds.set(round, Uint8Array.from(message));
      return message;
    },
    recorded: (instance) => [...(recorded.get(key(instance))?.values() ?? [])],
  };
}
