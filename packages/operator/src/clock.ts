// Time for the runtime: an injected clock, so that tests drive time by hand and a node can use a
// corrected clock. `createSystemClock` is the platform's wall clock and timers.

export interface Clock {
  /** Unix time in milliseconds. */
  nowMs(): number;
  /** Resolves once `nowMs() >= timeMs`, or as soon as `signal` aborts (never rejects). */
  waitUntil(timeMs: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock (`Date.now()`) with `setTimeout` waits. */
export function createSystemClock(): Clock {
  return {
    nowMs: () => Date.now(),
    async waitUntil(timeMs, signal) {
      // timers may fire a millisecond early against Date.now(): wait again until the time is reached
      while (Date.now() < timeMs && signal?.aborted !== true) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, timeMs - Date.now());
          signal?.addEventListener('abort', done, { once: true });
        });
      }
    },
  };
}
