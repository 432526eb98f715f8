// Gives corral's memory back once things settle (addon.trimMemory, addon/src/memory.cc;
// issue 20). Start-up, a reload and a burst of restarts leave garbage, in V8's heap and in
// the C library's arenas, that nothing collects while corral sits idle, which is most of
// its life: without a trim, 500 idle services held some 10 MiB more than with one.
//
// poke() says something just happened; the trim comes once nothing has for SETTLE_MS, so
// a start-up of 500 services is one trim, not 500. That trim is a full collection that
// blocks for a few ms, tens with hundreds of services, so there is at most one every
// MIN_INTERVAL_MS, and none once the shutdown has begun: a service crashing in a loop
// costs one collection a minute at most. Nothing runs while nothing happens.
// trimHeap() gives back only the C library's free pages, at once and in well under a
// millisecond: for when a reload's worker ends, its isolate freed, while the services it
// changed are starting.
import type { Logger } from '../shared/logger.js';
import { clearUnrefTimeout, setUnrefTimeout } from '../shared/unref-timer.js';

/** Quiet for this long after the last poke: start-up and reloads are over. */
export const SETTLE_MS = 1_000;
/** At most one trim this often. */
export const MIN_INTERVAL_MS = 60_000;

export interface MemoryTrimmerOptions {
  /** addon.trimMemory: collects if asked, gives free pages back; true when the C heap gave some. */
  trim: (collect: boolean) => boolean;
  logger: Logger;
  /** Resident set size in bytes, for the debug line: process.memoryUsage.rss. */
  rss?: () => number;
  now?: () => number;
  /** setTimeout, unref'd (a pending trim never keeps corral up), and clearTimeout; tests give fakes. */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export class MemoryTrimmer {
  private timer: unknown;
  private lastTrim = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly rss: () => number;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: MemoryTrimmerOptions) {
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? setUnrefTimeout;
    this.clearTimer = options.clearTimer ?? clearUnrefTimeout;
  }

  /** Something allocated and let go: trim once it has been quiet for SETTLE_MS. */
  poke(): void {
    if (this.closed) return;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    const wait = Math.max(SETTLE_MS, this.lastTrim + MIN_INTERVAL_MS - this.now());
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.lastTrim = this.trim('things settled', true);
    }, wait);
  }

  /**
   * Gives the C heap's free pages back at once, without a collection: the load worker has
   * ended, and what its arena freed is best given back before the services it loaded are
   * started, which then reuse less of it (with 500 services, 3 MiB less once settled).
   */
  trimHeap(): void {
    if (this.closed) return;
    this.trim('the load worker ended', false);
  }

  /**
   * The first load's garbage (zod, yaml and the files, some 7 MiB of V8's heap) collected
   * at once, once the first services are started, not after SETTLE_MS: in its first
   * second a service may already make corral busy (a flood of output to relay), and what
   * that takes would come on top of it, raising corral's peak by as much. A full
   * collection of start-up's small heap blocks for a few ms, while the services started
   * go on starting. It does not count as the settling trim, which still comes.
   */
  collectStartGarbage(): void {
    if (this.closed) return;
    this.trim('the first services are started', true);
  }

  /** No trim from now on: the shutdown has begun. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
  }

  // Returns when it ended.
  private trim(why: string, collect: boolean): number {
    const before = this.rss();
    const started = this.now();
    this.options.trim(collect);
    const ended = this.now();
    const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
    const what = collect ? 'collected and trimmed' : 'trimmed the C heap';
    this.options.logger.debug(`memory: ${why}; ${what} in ${ended - started} ms, RSS ${mib(before)} -> ${mib(this.rss())} MiB`);
    return ended;
  }
}
