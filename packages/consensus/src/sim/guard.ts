import { key, keyHex } from '../bytes.ts';
import type { SignGuard } from '../types.ts';

/**
 * A durable guard that survives the member's restarts (it lives outside the instance). `signed`
 * lists what it recorded: instance hex to root hex.
 */
export function createMemoryGuard(): SignGuard & { readonly signed: ReadonlyMap<string, string> } {
  return new MemoryGuard();
}

class MemoryGuard implements SignGuard {
  /** Byte keys (cheaper than hex on the vote path). */
  private readonly recorded = new Map<string, string>();
  get signed(): ReadonlyMap<string, string> {
    return new Map([...this.recorded].map(([i, r]) => [keyHex(i), keyHex(r)]));
  }
  allow(instance: Uint8Array, root: Uint8Array): boolean {
    const k = key(instance);
    const r = key(root);
    const before = this.recorded.get(k);
    if (before !== undefined && before !== r) return false;
    this.recorded.set(k, r);
    return true;
  }
}

/** The deliberately broken guard used to prove the safety test can fail: it allows everything. */
export const brokenGuard: SignGuard = { allow: () => true };
