// A clock that moves only when the test says so. Waiters resolve in time order when `advanceTo`
// reaches their time; nothing waits on real time.
import type { Clock } from '../../src/index.ts';

export interface FakeClock extends Clock {
  /** Sets the time (never backwards) and wakes every waiter whose time has come. */
  advanceTo(timeMs: number): void;
  /** Times that something is waiting for, ascending. */
  pending(): number[];
}

export function createFakeClock(startMs: number): FakeClock {
  let now = startMs;
  const waiters: { timeMs: number; resolve: () => void }[] = [];
  return {
    nowMs: () => now,
    waitUntil(timeMs, signal) {
      if (timeMs <= now || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const waiter = {
          timeMs,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    advanceTo(timeMs) {
      if (timeMs < now) throw new Error(`fake clock cannot go back from ${now} to ${timeMs}`);
      now = timeMs;
      const due = waiters.filter((w) => w.timeMs <= now).sort((a, b) => a.timeMs - b.timeMs);
      for (const w of due) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    },
    pending: () => waiters.map((w) => w.timeMs).sort((a, b) => a - b),
  };
}
