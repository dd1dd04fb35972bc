// Messages for instances this node has not started yet: a peer whose beacon node answered sooner,
// or whose clock runs a little ahead, sends before this node opens the duty. They wait here,
// bounded in count per instance, in instances, and in age, so that no peer can grow it without
// limit; what overflows is dropped (the consensus round timers recover from the loss).
import type { OperatorAddress } from '../committee/types.ts';

export interface PendingMessagesLimits {
  /** Instances with waiting messages (default 4,096). */
  readonly maxInstances?: number;
  /** Messages kept per instance (default 64). */
  readonly maxPerInstance?: number;
  /** Age after which a waiting message is dropped (default 12,000 ms). */
  readonly maxAgeMs?: number;
}

interface Waiting {
  readonly firstMs: number;
  readonly messages: { readonly from: OperatorAddress; readonly bytes: Uint8Array }[];
}

export class PendingMessages {
  readonly #byInstance = new Map<string, Waiting>();
  readonly #maxInstances: number;
  readonly #maxPerInstance: number;
  readonly #maxAgeMs: number;
  #dropped = 0;

  constructor(limits: PendingMessagesLimits = {}) {
    this.#maxInstances = limits.maxInstances ?? 4_096;
    this.#maxPerInstance = limits.maxPerInstance ?? 64;
    this.#maxAgeMs = limits.maxAgeMs ?? 12_000;
  }

  /** Messages dropped for lack of room or age. */
  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#byInstance.size;
  }

  add(instance: string, from: OperatorAddress, bytes: Uint8Array, nowMs: number): void {
    let waiting = this.#byInstance.get(instance);
    if (waiting === undefined) {
      this.#expire(nowMs);
      if (this.#byInstance.size >= this.#maxInstances) {
        this.#dropped++;
        return;
      }
      waiting = { firstMs: nowMs, messages: [] };
      this.#byInstance.set(instance, waiting);
    }
    if (waiting.messages.length >= this.#maxPerInstance) {
      this.#dropped++;
      return;
    }
    // the network may reuse its receive buffer: keep a copy
    waiting.messages.push({ from, bytes: bytes.slice() });
  }

  /** The messages waiting for `instance`, oldest first; they are removed. */
  take(instance: string): readonly { readonly from: OperatorAddress; readonly bytes: Uint8Array }[] {
    const waiting = this.#byInstance.get(instance);
    if (waiting === undefined) return [];
    this.#byInstance.delete(instance);
    return waiting.messages;
  }

  #expire(nowMs: number): void {
    // insertion order is age order: stop at the first young one
    for (const [key, waiting] of this.#byInstance) {
      if (nowMs - waiting.firstMs <= this.#maxAgeMs) break;
      this.#dropped += waiting.messages.length;
      this.#byInstance.delete(key);
    }
  }
}
