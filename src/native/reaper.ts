// Drives the addon's orphan reaper from the event loop: on every SIGCHLD and on a 1 s
// safety timer (SIGCHLDs coalesce, and libuv drops them when its signal pipe is full).
// It runs on the main thread only, in the check phase (setImmediate), so libuv's own
// SIGCHLD handler has already reaped libuv's children when we peek.
import type { Logger } from 'winston';
import { constants } from 'node:os';
import { reapedOrphans, type NativeAddon, type NativeSyscallError, type ReapedOrphan } from './addon.js';

const SAFETY_SWEEP_MS = 1000;
const RETRY_DELAY_MS = 50;
// After this many retries in a row a libuv zombie is not going away: something stole
// its status or spawned from a worker thread. Say so once; keep reaping around it.
const STUCK_STREAK = 40;

export class Reaper {
  private queued = false;
  private streak = 0;
  // The failures already warned about, as "syscall code": each is told once, then at debug.
  private readonly failuresTold = new Set<string>();
  /** Orphans reaped since start. */
  reapedCount = 0;

  constructor(
    private readonly addon: NativeAddon,
    private readonly logger: Logger,
  ) {}

  start(): void {
    process.on('SIGCHLD', this.onSigchld);
    setInterval(() => this.schedule(), SAFETY_SWEEP_MS).unref();
    this.schedule();
  }

  // Reaps now, synchronously; for the shutdown sweep, which polls.
  reapNow(): void {
    const { retry } = this.reap();
    if (retry) this.schedule(RETRY_DELAY_MS);
  }

  private readonly onSigchld = (): void => this.schedule();

  private schedule(delayMs = 0): void {
    if (this.queued) return;
    this.queued = true;
    const run = (): void => {
      this.queued = false;
      this.run();
    };
    if (delayMs === 0) setImmediate(run);
    else setTimeout(run, delayMs);
  }

  private run(): void {
    const { retry } = this.reap();
    if (!retry) {
      this.streak = 0;
      return;
    }
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
