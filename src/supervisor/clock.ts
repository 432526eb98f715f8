// Time as the lifecycle core sees it: read the time and set a timer, nothing else. The
// real clock is Node's; the simulation (test/sim) passes a virtual one, so every wait in
// the core can be driven to its edges without sleeping.
import { LIMITS } from '../config/limits.js';

export interface Timer {
  cancel(): void;
}

export interface Clock {
  now: () => number;
  /** Calls `callback` once after `ms` (0 or less: on the next turn). */
  setTimer: (callback: () => void, ms: number) => Timer;
}

// setTimeout fires at once past LIMITS.durationMs (24.8 days); a longer wait is waited in
// steps.
const MAX_TIMER_MS = LIMITS.durationMs;

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, ms) {
    let handle: NodeJS.Timeout;
    const arm = (left: number): void => {
      handle = setTimeout(() => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : callback()), Math.min(MAX_TIMER_MS, Math.max(0, left)));
    };
    arm(ms);
    return { cancel: () => clearTimeout(handle) };
  },
};

export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, ms));
}

// A one-way switch that waits can listen to and stop listening to: the second shutdown
// signal. Unlike a never-resolving promise raced against each wait, a listener that is
// removed leaves nothing behind, so a thousand stops keep nothing alive.
export class Latch {
  private listeners = new Set<() => void>();
  private fired = false;
  /** Why it was set, in words, for the line that says a wait was cut short. */
  reason = 'a second shutdown signal came';

  get isSet(): boolean {
    return this.fired;
  }

  set(reason?: string): void {
    if (this.fired) return;
    if (reason !== undefined) this.reason = reason;
    this.fired = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }

  /** Calls `listener` once when set (at once if already set); returns how to stop listening. */
  listen(listener: () => void): () => void {
    if (this.fired) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A latch that is never set: for waits nothing can cut short. */
export const NEVER = new Latch();

export type WaitEnd = 'done' | 'timeout' | 'cut';

// Waits until `condition` holds (polled every pollMs, and checked again whenever `wake`
// resolves), timeoutMs passes, or `cut` is set. Every wait in the core goes through
// here: it always ends, and leaves no timer or listener behind.
export function waitFor(
  clock: Clock,
  options: { condition: () => boolean; timeoutMs: number; pollMs: number; cut?: Latch; wake?: Promise<unknown> },
): Promise<WaitEnd> {
  const { condition, pollMs, cut = NEVER, wake } = options;
  if (condition()) return Promise.resolve('done');
  if (cut.isSet) return Promise.resolve('cut');
  const end = clock.now() + Math.max(0, options.timeoutMs);
  return new Promise((resolve) => {
    let timer: Timer | undefined;
    let settled = false;
    const finish = (how: WaitEnd): void => {
      if (settled) return;
      settled = true;
      timer?.cancel();
      unlisten();
      resolve(how);
    };
    const unlisten = cut.listen(() => finish('cut'));
    const check = (): void => {
      if (settled) return;
      if (condition()) return finish('done');
      const left = end - clock.now();
      if (left <= 0) return finish('timeout');
      timer?.cancel();
      timer = clock.setTimer(check, Math.min(pollMs, left));
    };
    void wake?.then(check, check);
    check();
  });
}

// Waits until `promise` settles, `deadline` passes or `cut` is set, whichever is first.
export function settledBy(clock: Clock, promise: Promise<unknown>, deadline: number, cut: Latch = NEVER): Promise<WaitEnd> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return waitFor(clock, { condition: () => done, timeoutMs: deadline - clock.now(), pollMs: Math.max(1, deadline - clock.now()), cut, wake: promise });
}
