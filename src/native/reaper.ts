// Drives the addon's orphan reaper from the event loop: on SIGCHLD and on a safety timer
// (SIGCHLDs coalesce, and libuv drops them when its signal pipe is full). It runs
// on the main thread only, always from setImmediate (the check phase, after the poll
// phase in which libuv's own SIGCHLD handler reaped libuv's children), so a libuv zombie
// is seldom at the head of the queue when it peeks.
//
// Orphans come in bursts (a service that forks a worker per job, a script's pipelines),
// with a SIGCHLD for every one or two. The first of a burst is reaped at once. While the
// calls keep finding orphans, the reaper stops listening to SIGCHLD and calls every
// BATCH_MS instead: a SIGCHLD still wakes the loop (libuv's own watcher is on it), but no
// JS runs for it, and one call reaps what BATCH_MS brought. A zombie waits at most
// BATCH_MS longer for it. Once a call finds none, the reaper listens again, and calls once
// more for what exited while it did not.
//
// The safety sweep: a SIGCHLD is lost only while they come faster than the loop reads
// them, so the sweep runs every second while children exit and for ACTIVE_FOR_MS after
// the last one, and every IDLE_SWEEP_MS once none has for that long. An idle corral then
// wakes for it twice a minute, not every second (issue 20: its idle CPU was supervisord's,
// which wakes every second).
import type { Logger } from '../shared/logger.js';
import { constants } from 'node:os';
import { reapedOrphans, type NativeAddon, type NativeSyscallError, type ReapedOrphan } from './addon.js';
import { monotonicMs } from '../shared/monotonic-ms.js';

const SAFETY_SWEEP_MS = 1000;
const ACTIVE_FOR_MS = 10_000;
const IDLE_SWEEP_MS = 30_000;
const RETRY_DELAY_MS = 50;
const BATCH_MS = 10;
// After this many retries in a row a libuv zombie is not going away: something stole
// its status or spawned from a worker thread. Say so once; keep reaping around it.
const STUCK_STREAK = 40;

/** How the reaper waits; a test passes its own, to fire the waits by hand. */
export interface ReaperTimers {
  /** Calls fn once, ms from now (0: in this turn of the loop), from the check phase. */
  after: (fn: () => void, ms: number) => void;
  /** Calls fn once, ms from now, without keeping corral running; returns what cancels it. */
  sweepAfter: (fn: () => void, ms: number) => () => void;
  now: () => number;
}

const nodeTimers: ReaperTimers = {
  after: (fn, ms) => {
    if (ms === 0) setImmediate(fn);
    else setTimeout(() => setImmediate(fn), ms);
  },
  sweepAfter: (fn, ms) => {
    const timer = setTimeout(fn, ms).unref();
    return () => clearTimeout(timer);
  },
  now: monotonicMs,
};

export class Reaper {
  private queued = false;
  private listening = false;
  private streak = 0;
  /** When a child last exited (a SIGCHLD, or a call that reaped). */
  private lastExit = Number.NEGATIVE_INFINITY;
  private sweep: { due: number; cancel: () => void } | undefined;
  // The failures already warned about, as "syscall code": each is told once, then at debug.
  private readonly failuresTold = new Set<string>();
  /** Orphans reaped since start. */
  reapedCount = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly logger: Logger,
    private readonly timers: ReaperTimers = nodeTimers,
  ) {}

  start(): void {
    this.listen(true);
    this.armSweep();
    this.schedule();
  }

  // Reaps now, synchronously; for the shutdown sweep, which polls.
  reapNow(): void {
    const { retry } = this.reap();
    if (retry) this.schedule(RETRY_DELAY_MS);
  }

  private readonly onSigchld = (): void => {
    this.childExited();
    this.schedule();
  };

  // Children are exiting: the sweep comes within a second again, if it was further off.
  private childExited(): void {
    this.lastExit = this.timers.now();
    if (this.sweep !== undefined && this.sweep.due > this.lastExit + SAFETY_SWEEP_MS) this.armSweep();
  }

  private armSweep(): void {
    this.sweep?.cancel();
    const now = this.timers.now();
    const delay = now - this.lastExit < ACTIVE_FOR_MS ? SAFETY_SWEEP_MS : IDLE_SWEEP_MS;
    const cancel = this.timers.sweepAfter(() => {
      this.sweep = undefined;
      this.schedule();
      this.armSweep();
    }, delay);
    this.sweep = { due: now + delay, cancel };
  }

  private listen(on: boolean): void {
    if (on === this.listening) return;
    this.listening = on;
    if (on) process.on('SIGCHLD', this.onSigchld);
    else process.off('SIGCHLD', this.onSigchld);
  }

  private schedule(delayMs = 0): void {
    if (this.queued) return;
    this.queued = true;
    this.timers.after(() => {
      this.queued = false;
      this.run();
    }, delayMs);
  }

  private run(): void {
    const { reaped, retry } = this.reap();
    if (retry) {
      this.retry();
      return;
    }
    this.streak = 0;
    if (reaped > 0) {
      this.childExited();
      this.listen(false);
      this.schedule(BATCH_MS);
    } else if (!this.listening) {
      this.listen(true);
      this.schedule();
    }
  }

  private retry(): void {
    this.streak += 1;
    if (this.streak === STUCK_STREAK) {
      this.logger.warn(
        'a child that libuv spawned stays a zombie that libuv does not reap; its exit may have been taken by ' +
          'another waiter (a native module calling waitpid(-1)?) or it was spawned from a worker thread',
      );
    }
    this.schedule(this.streak === 1 ? 0 : RETRY_DELAY_MS);
  }

  // One call of the addon; how many orphans it reaped, and whether to call again soon.
  private reap(): { reaped: number; retry: boolean } {
    const result = this.addon.reapOrphans();
    const reaped = result.reaped.length / 3;
    this.reapedCount += reaped;
    // Only when debug is on: winston formats a line before it checks its level.
    if (reaped > 0 && this.logger.isDebugEnabled()) {
      for (const orphan of reapedOrphans(result.reaped)) this.logger.debug(`reaped orphan pid ${orphan.pid}, ${describeOrphan(orphan)}`);
    }
    if (result.failure) this.reportFailure(result.failure);
    return { reaped, retry: result.retry };
  }

  // A failed syscall in the reaper may leave zombies until a later sweep succeeds; it
  // recurs on every sweep while its cause lasts, so each kind is a warning only once.
  private reportFailure(failure: NativeSyscallError): void {
    const kind = `${failure.syscall} ${failure.code}`;
    const line = `reaping orphans: ${failure.message}; zombies may be left until a later sweep succeeds`;
    if (this.failuresTold.has(kind)) {
      this.logger.debug(line);
      return;
    }
    this.failuresTold.add(kind);
    this.logger.warn(line);
  }
}

function describeOrphan({ code, signal }: ReapedOrphan): string {
  if (signal !== null) {
    const name = Object.entries(constants.signals).find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
    return `killed by ${name}`;
  }
  return `exit code ${code ?? '?'}`;
}
