// Runs one service: launches it, watches its readiness and health, follows its exit,
// restarts it per the pure decisions of restart-policy.ts, and stops it (stop signal +
// SIGCONT to its process group, bounded wait, SIGKILL). Every state change goes through
// ServiceStateHolder, which the supervisor listens to.
import { formatDuration } from '../config/duration.js';
import type { ServiceConfig } from '../config/schema.js';
import { describeOutcome, isSuccess, type ExitOutcome } from '../process/exit-outcome.js';
import { groupExists, signalGroup, stopGroup } from '../process/process-group.js';
import { describeStuck, readProcEntry } from '../process/proc-table.js';
import { dropQueuesFor, launch, type DropQueues } from './launch.js';
import { watchReadiness, type Readiness } from './readiness.js';
import { describeWatchdogFailure, type WatchdogFailure } from '../readiness/watchdog.js';
import { decideAfterExit, freshHistory, type RestartHistory } from './restart-policy.js';
import type { RunnerContext } from './runner-context.js';
import { ServiceStateHolder, type TransitionListener } from './service-state.js';
import { sleep, waitUntil } from './timing.js';

// How long a pipe may stay quiet after the process exited before corral stops reading it
// (a grandchild can hold it open for ever); shorter while stopping, where the budget
// counts and waiting for a slow log reader is not allowed.
const EXIT_DRAIN_MS = 1000;
const STOP_DRAIN_MS = 200;
// After SIGKILL the kernel needs a moment; a process still there after this is stuck (D).
const KILL_WAIT_MS = 1000;
const GROUP_POLL_MS = 20;

interface Run {
  pid: number;
  startedAt: number;
  /** Resolves once the exit was handled (output drained, next state chosen). */
  settled: Promise<void>;
  readiness: Readiness;
  /** Set when corral itself ended the run because a probe or the watchdog failed: the run failed. */
  probeFailure?: string;
}

export class ServiceRunner {
  readonly state: ServiceStateHolder;
  private run: Run | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private history: RestartHistory = freshHistory;
  /** Stopped on purpose (shutdown, reload): its exit is not a failure to act on. */
  private stopRequested = false;
  restarts = 0;
  lastOutcome: ExitOutcome | undefined;
  /** Why it failed for good, for the messages of its dependents. */
  failure: string | undefined;
  /** For a blocked service: the chain of dependencies down to the failed one. */
  blockedBy: string[] | undefined;
  /** log.mode: drop: one queue per stream for all runs, so restarts share the budget. */
  readonly dropQueues: DropQueues;
  /** Lines read from each stream over all runs. */
  readonly lineCounts = { stdout: { lines: 0 }, stderr: { lines: 0 } };
  /** Stopped with `corral stop`: stays stopped until started again. */
  stoppedByOperator = false;

  constructor(
    readonly config: ServiceConfig,
    private readonly ctx: RunnerContext,
    onChange: (runner: ServiceRunner, ...change: Parameters<TransitionListener>) => void,
  ) {
    this.state = new ServiceStateHolder(config.name, (from, to) => onChange(this, from, to));
    this.dropQueues = dropQueuesFor(config, ctx);
  }

  get name(): string {
    return this.config.name;
  }

  get pid(): number | undefined {
    return this.run?.pid;
  }

  /** When the current run started, by ctx.now(). */
  get startedAt(): number | undefined {
    return this.run?.startedAt;
  }

  /** Waits for its dependencies (the supervisor starts it when they are ready). */
  await(): void {
    this.blockedBy = undefined;
    this.stoppedByOperator = false;
    this.state.transition('waiting');
  }

  block(chain: string[]): void {
    this.blockedBy = chain;
    this.state.transition('blocked');
  }

  start(): void {
    this.stopRequested = false;
    this.history = freshHistory;
    this.failure = undefined;
    this.spawn();
  }

  // Sends `signal` to the service's process group; false when it is not running.
  signal(signal: NodeJS.Signals): boolean {
    return this.run !== undefined && signalGroup(this.run.pid, signal);
  }

  // Stops the service within its stop_timeout, cut short at deadlineAt or when `forced`
  // resolves, then SIGKILLs its group. Never waits without a bound.
  async stop(deadlineAt: number, forced: Promise<void>): Promise<void> {
    this.stopRequested = true;
    if (this.restartTimer !== undefined) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.state.transition('stopped'); // BACKOFF -> STOPPED: no process to stop
      return;
    }
    if (['waiting', 'blocked', 'exited', 'fatal'].includes(this.state.state)) {
      this.state.transition('stopped'); // no process: it is only marked as wanted down
      return;
    }
    if (this.run === undefined) return;
    if (this.state.state === 'stopping') {
      // Already being stopped because a probe failed: wait for that, within the deadline.
      await Promise.race([this.run.settled, sleep(deadlineAt - this.ctx.now()), forced]);
      return;
    }
    await this.terminate(this.run, Math.max(0, Math.min(this.config.stop_timeout, deadlineAt - this.ctx.now())), forced);
  }

  // Stop signal (or the watchdog's) + SIGCONT, the grace, then SIGKILL; resolves when the
  // run was handled.
  private async terminate(run: Run, graceMs: number, forced: Promise<void>, stopSignal = this.config.stop_signal): Promise<void> {
    const { name } = this.config;
    this.state.transition('stopping'); // STARTING | RUNNING -> STOPPING
    this.ctx.logger.debug(`stopping ${name} with ${stopSignal} (waiting up to ${formatDuration(graceMs)})`);
    stopGroup(run.pid, stopSignal);
    const graceEnd = this.ctx.now() + graceMs;
    const exited = await Promise.race([run.settled.then(() => true), sleep(graceMs).then(() => false), forced.then(() => false)]);
    // The main process may be gone while others in its group (workers, a TERM-ignoring
    // grandchild) are not: they get the rest of the same grace.
    const groupGone = exited && (await waitUntil(() => !groupExists(run.pid), graceEnd - this.ctx.now(), GROUP_POLL_MS, forced));
    if (groupGone) return;
    const what = exited ? `processes left in ${name}'s group` : name;
    const why = this.ctx.now() < graceEnd ? 'shutdown forced' : `did not stop within ${formatDuration(graceMs)} of ${stopSignal}`;
    this.ctx.logger.warn(`${what}: ${why}; sending SIGKILL`);
    signalGroup(run.pid, 'SIGKILL');
    const killed = await waitUntil(() => !groupExists(run.pid), KILL_WAIT_MS, GROUP_POLL_MS);
    await Promise.race([run.settled, sleep(KILL_WAIT_MS)]);
    if (!killed) this.reportStuck(run.pid);
  }

  private spawn(): void {
    this.state.transition('starting'); // WAITING | BACKOFF | EXITED | FATAL -> STARTING
    const { name } = this.config;
    const readiness = watchReadiness(this.config, this.ctx);
    const started = launch(this.config, this.ctx, {
      env: readiness.env,
      tap: readiness.tap,
      drain: () => (this.state.state === 'stopping' ? { ms: STOP_DRAIN_MS, strict: true } : { ms: EXIT_DRAIN_MS, strict: false }),
      dropQueues: this.dropQueues,
      lineCounts: this.lineCounts,
    });
    if (started.pid === undefined) {
      readiness.cancel();
      void started.ended.then((outcome) => this.afterEnd(outcome, undefined));
      return;
    }
    const run: Run = { pid: started.pid, startedAt: this.ctx.now(), readiness, settled: Promise.resolve() };
    run.settled = started.ended.then((outcome) => {
      readiness.cancel();
      this.run = undefined;
      this.afterEnd(outcome, run);
    });
    this.run = run;
    readiness.onWatchdogFailure((failure) => this.onWatchdogFailure(run, failure));
    this.ctx.logger.info(`${name} started (pid ${started.pid})`);
    void readiness.result.then((result) => this.onReadiness(run, result));
  }

  private onReadiness(run: Run, result: Awaited<Readiness['result']>): void {
    if (this.run !== run || this.state.state !== 'starting') return;
    switch (result.kind) {
      case 'ready':
        if (result.detail) this.ctx.logger.info(`${this.name} is ready (${result.detail})`);
        this.state.transition('running'); // STARTING -> RUNNING
        run.readiness.startLiveness((detail) => this.onUnhealthy(run, detail));
        return;
      case 'timeout':
      case 'failed': {
        const failure =
          result.kind === 'timeout' ? `not ready within ${formatDuration(this.config.ready?.timeoutMs ?? 0)} (${result.detail})` : `of unknown readiness: ${result.detail}`;
        this.stopAsFailed(run, failure, `${this.name} is ${failure}; stopping it`);
        return;
      }
      case 'cancelled':
        return;
    }
  }

  private onUnhealthy(run: Run, detail: string): void {
    if (this.run !== run || this.state.state !== 'running') return;
    const failure = `unhealthy (${detail})`;
    this.stopAsFailed(run, failure, `${this.name} is ${failure}; restarting it`);
  }

  // A missed WATCHDOG=1 (once running) or WATCHDOG=trigger (also while starting): stopped
  // with the watchdog's signal, and counted as a failed run like an unhealthy one.
  private onWatchdogFailure(run: Run, failure: WatchdogFailure): void {
    const { watchdog } = this.config;
    if (this.run !== run || watchdog === undefined || !['starting', 'running'].includes(this.state.state)) return;
    const detail = describeWatchdogFailure(failure);
    this.stopAsFailed(run, detail, `${this.name}: ${detail}; stopping it with ${watchdog.signal}`, watchdog.signal);
  }

  // corral itself ends the run because a check or the watchdog failed: the run counts as
  // failed, whatever its exit, and is stopped within stop_timeout.
  private stopAsFailed(run: Run, probeFailure: string, warning: string, signal = this.config.stop_signal): void {
    run.probeFailure = probeFailure;
    this.ctx.logger.warn(warning);
    void this.terminate(run, this.config.stop_timeout, new Promise(() => undefined), signal);
  }

  private afterEnd(outcome: ExitOutcome, run: Run | undefined): void {
    this.lastOutcome = outcome;
    const { name } = this.config;
    const how = run?.probeFailure ? `was stopped: ${run.probeFailure}` : describeOutcome(outcome);
    if (this.stopRequested) {
      this.state.transition('stopped'); // STOPPING -> STOPPED
      this.ctx.logger.info(`${name} stopped (${describeOutcome(outcome)})`);
      return;
    }
    const now = this.ctx.now();
    const failed = run?.probeFailure !== undefined || !isSuccess(outcome);
    const facts = { failed, uptimeMs: run ? now - run.startedAt : 0, now };
    const decision = decideAfterExit(this.config, facts, this.history, this.ctx.random);
    switch (decision.action) {
      case 'restart':
        this.history = decision.history;
        this.state.transition('backoff'); // STARTING | RUNNING | STOPPING -> BACKOFF
        this.ctx.logger.log(failed ? 'warn' : 'info', `${name} ${how}; restarting in ${formatDuration(decision.delayMs)}`);
        this.restartTimer = setTimeout(() => {
          this.restartTimer = undefined;
          this.restarts += 1;
          this.spawn();
        }, decision.delayMs);
        return;
      case 'done':
        this.state.transition('exited'); // STARTING | RUNNING -> EXITED
        this.ctx.logger.info(`${name} ${how}; not restarting (restart: ${this.config.restart})`);
        return;
      case 'give-up':
        this.failure = how;
        this.ctx.logger.error(`${name} ${how}; giving up (${decision.reason})`);
        this.state.transition('fatal'); // STARTING | RUNNING | STOPPING -> FATAL
        return;
    }
  }

  private reportStuck(pgid: number): void {
    const entry = readProcEntry(pgid);
    const detail = entry ? describeStuck(entry) : `process group ${pgid}`;
    this.ctx.logger.warn(`${this.name} is still there after SIGKILL: ${detail}; not waiting for it`);
  }
}
