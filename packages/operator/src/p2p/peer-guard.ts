// The per-peer defences of the operator network, as plain state over an injected time in
// milliseconds: a token bucket for the message rate, a penalty that decays exponentially, and a
// bounded cache of the hashes of recent messages to drop exact replays.
import { hash } from 'node:crypto';

/** Token bucket: `burst` messages at once, refilled at `perSecond`. */
export class TokenBucket {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #atMs: number;

  constructor(perSecond: number, burst: number, nowMs: number) {
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#atMs = nowMs;
  }

  /** Takes one token; `false` when the bucket is empty. */
  take(nowMs: number): boolean {
    if (nowMs > this.#atMs) {
      this.#tokens = Math.min(this.#burst, this.#tokens + (nowMs - this.#atMs) * this.#perMs);
      this.#atMs = nowMs;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** A score that halves every `halfLifeMs`: old offences are forgiven, a stream of them is not. */
export class DecayingPenalty {
  readonly #halfLifeMs: number;
  #value = 0;
  #atMs: number;

  constructor(halfLifeMs: number, nowMs: number) {
    this.#halfLifeMs = halfLifeMs;
    this.#atMs = nowMs;
  }

  value(nowMs: number): number {
    if (nowMs > this.#atMs) {
      this.#value *= 0.5 ** ((nowMs - this.#atMs) / this.#halfLifeMs);
      this.#atMs = nowMs;
    }
    return this.#value;
  }

  add(points: number, nowMs: number): number {
    this.#value = this.value(nowMs) + points;
    return this.#value;
  }

  reset(nowMs: number): void {
    this.#value = 0;
    this.#atMs = nowMs;
  }
}

/**
 * The last `capacity` distinct message hashes (SHA-256, native). A message already present is a
 * replay. Oldest first out, so memory per peer is bounded by `capacity` short strings.
 */
export class ReplayCache {
  readonly #capacity: number;
  readonly #seen = new Set<string>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** Records `message`; `true` when it was seen before (and is still remembered). */
  check(message: Uint8Array): boolean {
    const key = hash('sha256', message, 'base64');
    if (this.#seen.has(key)) return true;
    this.#seen.add(key);
    if (this.#seen.size > this.#capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
    return false;
  }
}
