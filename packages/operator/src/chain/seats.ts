// When the registry's active seats may have moved, from the folded chain state alone (no contract
// read). `OperatorRegistry.activeSeats` changes only through `reserveSeat` (a committee drawn, a
// replacement drawn), `releaseSeat` (a draw expired, cancelled or exited, a member replaced) and
// ejections; each of these is an event the chain reader folds into a new draw, validator or operator
// object (./chain-state.ts never mutates one in place). So the seats can only have changed when one
// of those objects is not the one seen last time: comparing identities is enough, and cheap.
import type { ChainState } from './chain-state.ts';

export class SeatWatch {
  #state: ChainState | undefined;
  #seen: readonly (readonly object[])[] = [];

  /** True on the first call and whenever a draw, validator or operator changed since the last call. */
  changed(state: ChainState): boolean {
    const now = [state.draws(), state.validators(), state.operators()];
    const same =
      state === this.#state &&
      now.every((list, i) => {
        const before = this.#seen[i];
        return before !== undefined && before.length === list.length && list.every((o, j) => o === before[j]);
      });
    this.#state = state;
    this.#seen = now;
    return !same;
  }
}

/** Reads `activeSeats` again only when {@link SeatWatch} says they may have moved. */
export class ActiveSeats {
  readonly #watch = new SeatWatch();
  readonly #read: () => Promise<bigint>;
  #seats: bigint | undefined;

  constructor(read: () => Promise<bigint>) {
    this.#read = read;
  }

  async of(state: ChainState): Promise<bigint> {
    if (this.#watch.changed(state) || this.#seats === undefined) {
      // a failed read leaves no value: read again next time, though the watch took this state
      this.#seats = undefined;
      this.#seats = await this.#read();
    }
    return this.#seats;
  }
}
