// When the chain lifecycle (./lifecycle.ts) takes its next step: one tick at a time (a request during
// a tick runs one more after it, however many came), and at most one timer for a later tick, the
// earliest due one winning. A tick that throws is logged; the next block's request tries again.
import type { Logger } from '../logger.ts';

export class TickSchedule {
  readonly #tick: () => Promise<void>;
  readonly #logger: Logger;
  #running = false;
  #ticking: Promise<void> = Promise.resolve();
  #tickQueued = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerDue = 0;

  constructor(tick: () => Promise<void>, logger: Logger) {
    this.#tick = tick;
    this.#logger = logger;
  }

  start(): void {
    this.#running = true;
  }

  /** No tick after this one; resolves once the tick under way (if any) has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#ticking;
  }

  /** A tick now (after the one under way), or in `delayMs` unless one is already due sooner. */
  request(delayMs = 0): void {
    if (!this.#running) return;
    if (delayMs > 0) {
      const due = Date.now() + delayMs;
      if (this.#timer !== undefined && this.#timerDue <= due) return;
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timerDue = due;
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.request();
      }, delayMs);
      return;
    }
    if (this.#tickQueued) return;
    this.#tickQueued = true;
    this.#ticking = this.#ticking.then(async () => {
      this.#tickQueued = false;
      if (!this.#running) return;
      try {
        await this.#tick();
      } catch (error) {
        const text = (error as { shortMessage?: string }).shortMessage ?? String(error);
        this.#logger.warn('lifecycle step failed; retrying at the next block', { error: text });
      }
    });
  }
}
