// A scheduled service (schedule: in its file): runs its command when a run is due
// (schedule-times.ts) instead of keeping it running. Each run is launched, watched and
// stopped as any run of a ServiceRunner (the same launch path, the one stop procedure);
// when it ends the service goes back to its schedule, and is never restarted. A run still
// going when the next is due is skipped, queued or replaced (overlap); a run past its
// timeout is stopped and counts as failed. Time comes from ctx.clock only.
import { formatDuration } from '../shared/format-duration.js';
import type { ScheduleConfig } from '../config/schedule.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { LogRing } from '../logging/log-ring.js';
import type { ExitOutcome } from '../process/exit-outcome.js';
import { NEVER, type Latch, type Timer } from './clock.js';
import type { RunnerContext } from './runner-context.js';
import { classifyRun, isFailedRun, ScheduleRecord } from './schedule-record.js';
import { dueTimes, formatDueTime, type DueTimes } from './schedule-times.js';
import { ServiceRunner } from './service-runner.js';
import { describeEnd, type Run } from './service-run.js';
import { KILL_WAIT_MS } from './stop-procedure.js';

// A due time is looked at again at least this often, so that a wall clock set forward or
// back (NTP, a suspended host) moves the run with it instead of a timer set long before.
export const DUE_RECHECK_MS = 60_000;

export class ScheduledRunner extends ServiceRunner {
  readonly record = new ScheduleRecord();
  private times: DueTimes | undefined;
  private dueAt: number | undefined;
  private dueTimer: Timer | undefined;
  private timeout: { run: Run; timer: Timer; fired: boolean } | undefined;
  /** A run waits for the one going to end (overlap: queue or replace). */
  private queued = false;
  /** The run being stopped to make way for the next (overlap: replace). */
  private replacing: Run | undefined;
  /** `corral start` while stopped: it runs once as soon as its dependencies are ready. */
  private runWhenStarted = false;

  constructor(config: ServiceConfig, ctx: RunnerContext, onChange: ConstructorParameters<typeof ServiceRunner>[2], logRing?: LogRing) {
    super(config, ctx, onChange, logRing);
    if (config.schedule === undefined) throw new Error(`${config.name} has no schedule`);
  }

  get schedule(): ScheduleConfig {
    return this.config.schedule!;
  }

  /** When the next run is due (ms since the epoch, by ctx.clock); undefined while paused. */
  get nextRunAt(): number | undefined {
    return this.dueAt;
  }

  // Its dependencies are ready: WAITING -> SCHEDULED, or -> STARTING when it runs at once.
  override start(): void {
    this.stopRequested = undefined;
    const now = this.ctx.clock.now();
    this.times = dueTimes(this.schedule.spec, now);
    this.arm(this.times.next(now));
    const runNow = this.schedule.runOnStart || this.runWhenStarted;
    this.runWhenStarted = false;
    if (runNow) this.beginRun();
    else this.state.set({ state: 'scheduled', nextAt: this.dueAt });
  }

  // `corral start` while it waits for its next run: a run now, besides the schedule.
  runNow(): boolean {
    if (this.status.state !== 'scheduled') return false;
    this.beginRun();
    return true;
  }

  // `corral start` while it is stopped: once its dependencies are ready, it runs at once.
  runWhenReady(): void {
    this.runWhenStarted = true;
  }

  // The schedule is paused first, so nothing starts while the run (if any) is stopped.
  override stop(deadline: number, forced: Latch, byOperator = false): Promise<void> {
    this.disarm();
    return super.stop(deadline, forced, byOperator);
  }

  private disarm(): void {
    this.dueTimer?.cancel();
    this.dueTimer = undefined;
    this.dueAt = undefined;
    this.timeout?.timer.cancel();
    this.timeout = undefined;
    this.replacing = undefined;
    this.queued = false;
    this.runWhenStarted = false;
  }

  private arm(at: number | undefined): void {
    this.dueTimer?.cancel();
    this.dueAt = at;
    this.dueTimer =
      at === undefined ? undefined : this.ctx.clock.setTimer(() => this.onTimer(), Math.min(Math.max(0, at - this.ctx.clock.now()), DUE_RECHECK_MS));
  }

  private onTimer(): void {
    this.dueTimer = undefined;
    const at = this.dueAt;
    if (at === undefined || this.times === undefined || this.stopRequested) return;
    const now = this.ctx.clock.now();
    if (now < at) return this.arm(at);
    // The next one after now: runs missed while corral was busy are not made up for.
    this.arm(this.times.next(Math.max(now, at)));
    if (this.dueAt === undefined) this.ctx.logger.warn(`${this.name}: no time matches its schedule ${this.times.description} any more; it will not run again`);
    this.onDue(at);
  }

  private onDue(at: number): void {
    const status = this.status;
    switch (status.state) {
      case 'scheduled':
        return this.beginRun();
      case 'starting':
      case 'running':
      case 'stopping':
        return this.overlap(at, status.run);
      case 'stopped':
      case 'waiting':
      case 'blocked':
      case 'backoff':
      case 'exited':
      case 'fatal':
        return; // not armed in these states (stop() and a failure disarm it)
    }
  }

  // A run is due while another is going: overlap decides.
  private overlap(at: number, run: Run | undefined): void {
    const { overlap } = this.schedule;
    const due = `the run due at ${this.formatTime(at)}`;
    const going = run
      ? `the run started ${formatDuration(this.ctx.clock.now() - run.startedAt)} ago (pid ${run.pid}) is still going`
      : 'the previous run is still starting';
    if (overlap === 'skip' || this.queued) {
      this.record.skip();
      const why = this.queued ? 'another run already waits for the one going' : going;
      this.ctx.logger.warn(`${this.name}: skipped ${due}: ${why} (overlap: ${overlap})`);
      return;
    }
    this.queued = true;
    if (overlap === 'queue' || run === undefined || this.status.state === 'stopping') {
      this.ctx.logger.info(`${this.name}: ${due} starts when the one going ends (overlap: ${overlap})`);
      return;
    }
    this.replacing = run;
    this.ctx.logger.info(`${this.name}: stopping the run still going (pid ${run.pid}) to start ${due} (overlap: replace)`);
    const { stop_timeoutMs: graceMs } = this.config;
    void this.terminate(run, graceMs, this.ctx.clock.now() + graceMs + KILL_WAIT_MS, NEVER);
  }

  // SCHEDULED | WAITING -> STARTING, through the launch path every service takes.
  private beginRun(): void {
    this.spawn();
    const run = this.run;
    const { timeoutMs } = this.schedule;
    if (run === undefined || timeoutMs === undefined) return;
    const timeout = { run, fired: false, timer: this.ctx.clock.setTimer(() => this.onTimeout(timeout, timeoutMs), timeoutMs) };
    this.timeout = timeout;
  }

  private onTimeout(timeout: NonNullable<ScheduledRunner['timeout']>, timeoutMs: number): void {
    const { run } = timeout;
    const status = this.status;
    if ((status.state !== 'starting' && status.state !== 'running') || status.run !== run) return;
    timeout.fired = true;
    const limit = formatDuration(timeoutMs);
    this.stopAsFailed(run, `timed out after ${limit}`, `${this.name}: the run (pid ${run.pid}) is still going after its timeout of ${limit}; stopping it`);
  }

  // A run ended (or could not start): counted, logged, and back to the schedule; the run
  // that waited starts now. A failed run stops the container only with on_failure: shutdown.
  protected override decide(run: Run | undefined, outcome: ExitOutcome | undefined, how = describeEnd(run, outcome)): void {
    const timeout = this.timeout;
    const timedOut = timeout !== undefined && timeout.run === run && timeout.fired;
    if (timeout !== undefined && timeout.run === run) {
      timeout.timer.cancel();
      this.timeout = undefined;
    }
    const replaced = run !== undefined && run === this.replacing;
    if (replaced) this.replacing = undefined;
    const now = this.ctx.clock.now();
    const result = classifyRun({ replaced, timedOut, outcome });
    this.record.add({ result, startedAt: run?.startedAt ?? now, durationMs: run ? now - run.startedAt : 0, description: how });
    // "exited with code 3 after 1.2s"; a run stopped at its timeout says how long already.
    const ended = `${this.name} ${how}${run && run.probeFailure === undefined ? ` after ${formatDuration(now - run.startedAt)}` : ''}`;
    const failed = isFailedRun(result);
    if (failed && this.config.on_failure === 'shutdown') {
      this.disarm();
      this.ctx.logger.error(`${ended}: a failed run, and ${this.name} has on_failure: shutdown`);
      this.state.set({ state: 'fatal', failure: how }); // STARTING | RUNNING | STOPPING -> FATAL
      return;
    }
    this.state.set({ state: 'scheduled', nextAt: this.dueAt }); // STARTING | RUNNING | STOPPING -> SCHEDULED
    const next = this.queued
      ? 'the run that waited starts now'
      : this.dueAt === undefined
        ? 'no run is due any more'
        : `next run at ${this.formatTime(this.dueAt)}`;
    this.ctx.logger.log(failed ? 'warn' : 'info', `${ended}${failed ? ` (${this.record.describe()})` : ''}; ${next}`);
    if (!this.queued) return;
    this.queued = false;
    this.beginRun();
  }

  private formatTime(at: number): string {
    return formatDueTime(at, this.times?.timezone ?? 'UTC');
  }
}
