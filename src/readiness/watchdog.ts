// The sd_notify watchdog (`watchdog:`), systemd's WatchdogSec=: once a service is ready it
// must send WATCHDOG=1 to $NOTIFY_SOCKET at least every timeout, or it counts as hung.
// WATCHDOG=trigger says "count me as failed now"; WATCHDOG_USEC=N sets a new timeout for
// the rest of the run. A watchdog serves one run: after reporting a failure it is done,
// since the service is restarted with a new one. It only decides; the runner stops the
// service.
import { formatDuration } from '../shared/format-duration.js';
import { LIMITS } from '../config/limits.js';
import { clearUnrefTimeout, setUnrefTimeout } from '../shared/unref-timer.js';

export type WatchdogFailure =
  /** No WATCHDOG=1 for `timeoutMs`. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The service sent WATCHDOG=trigger. */
  | { kind: 'trigger' };

export interface WatchdogOptions {
  /** The timeout the service was started with; WATCHDOG_USEC can change it later. */
  timeoutMs: number;
  /** Called once; the watchdog is done by then. */
  onFailure: (failure: WatchdogFailure) => void;
  /**
   * Reads the messages already waiting on the socket, before a timeout counts: a ping the
   * service sent in time but corral has not read yet (the socket is polled) still counts.
   */
  flush?: () => void;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

// waiting: not armed yet (the service is starting; pings mean nothing, a trigger fails it);
// armed: a deadline is running (or the service turned it off with WATCHDOG_USEC=0);
// done: it failed, or the run ended.
type Phase = 'waiting' | 'armed' | 'done';

// setTimeout fires at once past LIMITS.durationMs (24.8 days), so a longer timeout (a
// WATCHDOG_USEC the service sends) is waited out in steps of at most that.
const MAX_TIMER_MS = LIMITS.durationMs;

export class Watchdog {
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private phase: Phase = 'waiting';
  private currentTimeoutMs: number;
  private timer: unknown;
  /** What is left of the timeout after the step the timer is waiting out. */
  private leftMs = 0;

  constructor(private readonly options: WatchdogOptions) {
    this.currentTimeoutMs = options.timeoutMs;
    this.setTimer = options.setTimer ?? setUnrefTimeout;
    this.clearTimer = options.clearTimer ?? clearUnrefTimeout;
  }

  /** The timeout now in force; 0 when the service turned the watchdog off. */
  get timeoutMs(): number {
    return this.currentTimeoutMs;
  }

  get armed(): boolean {
    return this.phase === 'armed';
  }

  // Arms it, as systemd does once start-up is complete: a slow start is ready.timeout's
  // business, not the watchdog's.
  start(): void {
    if (this.phase !== 'waiting') return;
    this.phase = 'armed';
    this.rearm();
  }

  /** WATCHDOG=1: a new deadline from now. Ignored before start(). */
  ping(): void {
    if (this.phase === 'armed') this.rearm();
  }

  /**
   * WATCHDOG_USEC=N: the new timeout applies from now, until the run ends; 0 turns the
   * watchdog off (a later WATCHDOG_USEC turns it on again). Before start(), it is the
   * timeout start() arms with.
   */
  setTimeout(ms: number): void {
    if (this.phase === 'done') return;
    this.currentTimeoutMs = ms;
    if (this.phase === 'armed') this.rearm();
  }

  /** WATCHDOG=trigger: failed now, whether armed yet or not. */
  trigger(): void {
    if (this.phase === 'done') return;
    this.fail({ kind: 'trigger' });
  }

  /** The run ended. Idempotent. */
  stop(): void {
    this.phase = 'done';
    this.cancelTimer();
  }

  private rearm(): void {
    this.cancelTimer();
    this.leftMs = this.currentTimeoutMs;
    if (this.leftMs > 0) this.step();
  }

  private step(): void {
    const ms = Math.min(this.leftMs, MAX_TIMER_MS);
    this.leftMs -= ms;
    this.timer = this.setTimer(() => this.expire(), ms);
  }

  private expire(): void {
    this.timer = undefined;
    if (this.leftMs > 0) {
      this.step();
      return;
    }
    // A ping read now re-arms (a new timer), a trigger fails it (done): either way, not a timeout.
    this.options.flush?.();
    if (this.phase !== 'armed' || this.timer !== undefined || this.currentTimeoutMs === 0) return;
    this.fail({ kind: 'timeout', timeoutMs: this.currentTimeoutMs });
  }

  private fail(failure: WatchdogFailure): void {
    this.stop();
    this.options.onFailure(failure);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
  }
}

// "watchdog timeout: no WATCHDOG=1 for 30s", as the log and the service's state say it.
export function describeWatchdogFailure(failure: WatchdogFailure): string {
  return failure.kind === 'timeout'
    ? `watchdog timeout: no WATCHDOG=1 for ${formatDuration(failure.timeoutMs)}`
    : 'watchdog triggered: it sent WATCHDOG=trigger';
}

// WATCHDOG_USEC=N from the service, in the milliseconds timers take: rounded up, so a
// positive value never becomes 0, which means off.
export function watchdogUsecToMs(usec: number): number {
  return Math.ceil(usec / 1000);
}

// What a service with a watchdog finds in its environment, besides NOTIFY_SOCKET:
// WATCHDOG_USEC, and no WATCHDOG_PID. systemd sets WATCHDOG_PID to the main pid, but
// corral knows no pid before the spawn, and with a string command the pid that ends up
// running the daemon may be a child of /bin/sh. sd_watchdog_enabled() skips its pid check
// when WATCHDOG_PID is unset, so an inherited one (corral's own, from a manager above it)
// is removed rather than left to make the service think the watchdog is someone else's.
export function watchdogEnvironment(env: Record<string, string>, timeoutMs: number): Record<string, string> {
  const { WATCHDOG_PID: _inherited, ...rest } = env;
  return { ...rest, WATCHDOG_USEC: String(timeoutMs * 1000) };
}
