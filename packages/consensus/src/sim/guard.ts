import { key, keyHex } from '../bytes.ts';
import type { SignGuard, SignRequest } from '../types.ts';

/** Options of `createMemoryGuard`. */
export interface MemoryGuardOptions<V> {
  /**
   * What the guard keys its records by: one root per key. Default: the instance id. A runtime keys
   * by what Ethereum slashes, e.g. `(r) => \`${validator}/${slotOf(r.value)}\`` for blocks, so a
   * re-run of the duty under a new instance id is refused too.
   */
  readonly key?: (request: SignRequest<V>) => string;
}

/**
 * A durable guard that survives the member's restarts (it lives outside the instance), answering at
 * once. `signed` lists what it recorded: key (instance hex by default) to root hex.
 */
export function createMemoryGuard<V = unknown>(
  options: MemoryGuardOptions<V> = {},
): SignGuard<V> & { readonly signed: ReadonlyMap<string, string> } {
  return new MemoryGuard(options.key);
}

class MemoryGuard<V> implements SignGuard<V> {
  /** Byte keys of roots (cheaper than hex on the vote path), by key. */
  private readonly recorded = new Map<string, string>();
  private readonly keyOf: ((request: SignRequest<V>) => string) | undefined;
  constructor(keyOf: ((request: SignRequest<V>) => string) | undefined) {
    this.keyOf = keyOf;
  }
  get signed(): ReadonlyMap<string, string> {
    const shown = (k: string) => (this.keyOf === undefined ? keyHex(k) : k);
    return new Map([...this.recorded].map(([k, r]) => [shown(k), keyHex(r)]));
  }
  allow(request: SignRequest<V>): boolean {
    const k = this.keyOf === undefined ? key(request.instance) : this.keyOf(request);
    const r = key(request.root);
    const before = this.recorded.get(k);
    if (before !== undefined && before !== r) return false;
    this.recorded.set(k, r);
    return true;
  }
}

/** The deliberately broken guard used to prove the safety test can fail: it allows everything. */
export const brokenGuard: SignGuard<unknown> = { allow: () => true };
