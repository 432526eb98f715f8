// Runs one service: launches it, watches its readiness and health, acts on its exit at
// once, stops what its main process left in its group, restarts it per the pure
// decisions of restart-policy.ts, and stops it through the one stop procedure. Every
// state change goes through ServiceStateHolder, which the supervisor listens to; the
// handlers switch over the state, whose facts (its run, its failure, what blocks it)
// travel with it; what others read of them is in runner-facts.ts, and how one run is
// stopped in run-stop.ts. Time and processes come from ctx.clock and ctx.kernel.
import { formatDuration } from '../shared/format-duration.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { LogRing } from '../logging/log-ring.js';
import { describeOutcome, isSuccess, type ExitOutcome } from '../process/exit-outcome.js';
import { describeWatchdogFailure, type WatchdogFailure } from '../readiness/watchdog.js';
import { Latch, NEVER, settledBy, waitFor, type Timer } from './clock.js';
import { notStarted, type StartedRun } from './kernel.js';
import { watchReadiness, type Readiness } from './watch-readiness.js';
import { decideAfterExit, freshHistory, type RestartHistory } from './restart-policy.js';
import type { RunnerContext } from './runner-context.js';
import { linkCut, stopLeftovers, stopRun } from './run-stop.js';
import { RunnerFacts } from './runner-facts.js';
import { ServiceStateHolder, type TransitionListener } from './service-state.js';
import { describeEnd, drainAfterEnd, EXIT_SETTLE_MS, internalFailure, type Run } from './service-run.js';
import { KILL_WAIT_FLOOR_MS, KILL_WAIT_MS, type StopResult } from './stop-procedure.js';

export class ServiceRunner extends RunnerFacts {
  readonly state: ServiceStateHolder<Run>;
  private restartTimer: Timer | undefined;
  /** The failed spawn of a run that never had a process, until it is handled. */
  private pendingSpawn: Promise<void> = Promise.resolve();
  private history: RestartHistory = freshHistory;
  /** Stopped on purpose (shutdown, reload, `corral stop`): its exit is not a failure. */
  protected stopRequested: { byOperator: boolean; deadline: number } | undefined;

  constructor(
    config: ServiceConfig,
    ctx: RunnerContext,
    onChange: (runner: ServiceRunner, ...change: Parameters<TransitionListener>) => void,
    logRing?: LogRing,
  ) {
    super(config, ctx, logRing);
    this.state = new ServiceStateHolder<Run>(config.name, (from, to) => onChange(this, from, to));
  }

  /** Waits for its dependencies (the supervisor starts it when they are ready). */
  await(): void {
    this.state.set({ state: 'waiting' });
  }

  block(chain: readonly string[]): void {
    this.state.set({ state: 'blocked', chain });
  }

  start(): void {
    this.stopRequested = undefined;
    this.history = freshHistory;
    this.spawn();
  }

  // Sends `signal` to the service's process group; false when it has no process.
  signal(signal: NodeJS.Signals): boolean {
    const run = this.run;
    return run !== undefined && this.ctx.kernel.signalGroup(run.pid, signal);
  }

  // Stops the service within its stop_timeout, cut short at `deadline` or when `forced` is
  // set, then SIGKILLs its group. Never waits past the deadline (but the kill floor).
  async stop(deadline: number, forced: Latch, byOperator = false): Promise<void> {
    this.stopRequested = { byOperator, deadline };
    const status = this.status;
    switch (status.state) {
      case 'stopped':
        if (byOperator) this.state.update({ state: 'stopped', byOperator });
        return;
      case 'backoff':
        this.restartTimer?.cancel();
        this.restartTimer = undefined;
        this.toStopped();
        return;
      case 'waiting':
      case 'blocked':
      case 'scheduled':
      case 'exited':
      case 'fatal':
        this.toStopped(); // no process: it is only marked as wanted down
        return;
      case 'starting':
        // No process yet: the spawn's failure is on its way and ends it stopped.
        if (status.run === undefined) return void (await settledBy(this.ctx.clock, this.pendingSpawn, deadline, forced));
        return this.terminate(status.run, this.config.stop_timeoutMs, deadline, forced);
      case 'running':
        return this.terminate(status.run, this.config.stop_timeoutMs, deadline, forced);
      case 'stopping': {
        // Already being stopped (a probe failed, or leftovers after an exit): that stop
        // is held to this one's deadline and second signal too, and waited for.
        const { run } = status;
        const unlink = linkCut(run, this.ctx.clock, deadline, forced);
        await settledBy(this.ctx.clock, run.settled, Math.max(deadline, this.ctx.clock.now()) + KILL_WAIT_FLOOR_MS);
        unlink();
        // That stop may still be in SIGKILL's wait, set by its own later deadline, on a
        // process that will never go (D state). This stop's deadline is the bound: the run
        // is given up on here, so a stop never returns with the service still stopping.
        const current = this.status;
        if (current.state === 'stopping' && current.run === run && !run.handled) this.abandon(run, 'still being stopped when its deadline came');
        return;
      }
    }
  }

  // The stop procedure on the run's group; once it is gone, the exit handler chooses the
  // next state. A main process that survived SIGKILL is given up on, reported.
  protected async terminate(run: Run, graceMs: number, deadline: number, forced: Latch, signal = this.config.stop_signal): Promise<void> {
    if (this.status.state !== 'stopping') this.state.set({ state: 'stopping', run });
    const result = await stopRun(run, this.name, this.ctx, { signal, graceMs, deadline, forced });
    if (!run.handled) this.abandon(run, result === 'stuck' ? 'still there after SIGKILL' : 'its exit never came');
  }

  protected spawn(): void {
    this.state.set({ state: 'starting', run: undefined }); // WAITING | BACKOFF | SCHEDULED | EXITED | FATAL -> STARTING
    let readiness: Readiness | undefined;
    let started: StartedRun;
    // The exec is reported only while this run is the current one.
    const announce = { run: undefined as Run | undefined };
    try {
      readiness = watchReadiness(this.config, this.ctx);
      const onExec = (): void =>
        void (announce.run !== undefined && this.run === announce.run && this.ctx.logger.info(`${this.name} started (pid ${announce.run.pid})`));
      // What the run needs but cannot have (its notify socket) fails it as a spawn would.
      const { setupFailure } = readiness;
      started = setupFailure
        ? notStarted({ kind: 'spawn-failed', ...setupFailure })
        : this.ctx.kernel.launch(this.config, {
            env: readiness.env,
            tap: readiness.tap,
            onExec,
            dropQueues: this.dropQueues,
            lineCounts: this.lineCounts,
            ring: this.logRing,
          });
    } catch (error) {
      // A fault in corral's own spawn path fails this run, never corral.
      readiness?.cancel();
      this.ctx.logger.error(`${this.name}: internal error while starting it: ${(error as Error).stack ?? String(error)}`);
      started = notStarted(internalFailure(error));
    }
    if (started.pid === undefined) {
      readiness?.cancel();
      this.pendingSpawn = started.exited.then((outcome) => this.onExit(undefined, outcome)).catch((error: unknown) => this.internalError(undefined, error));
      return;
    }
    const run: Run = {
      pid: started.pid,
      startedAt: this.ctx.clock.now(),
      started,
      readiness: readiness!,
      handled: false,
      settled: Promise.resolve(),
      cut: new Latch(),
    };
    announce.run = run;
    this.unendedRun = run;
    this.launchedSecrets = run.readiness.secretsDigest;
    this.state.update({ state: 'starting', run });
    run.settled = started.exited.then((outcome) => this.onExit(run, outcome)).catch((error: unknown) => this.internalError(run, error));
    run.readiness.onWatchdogFailure((failure) => this.onWatchdogFailure(run, failure));
    void run.readiness.result.then((result) => this.onReadiness(run, result)).catch((error: unknown) => this.internalError(run, error));
  }

  private onReadiness(run: Run, result: Awaited<Readiness['result']>): void {
    const status = this.status;
    if (status.state !== 'starting' || status.run !== run) return;
    switch (result.kind) {
      case 'ready':
        if (result.detail) this.ctx.logger.info(`${this.name} is ready (${result.detail})`);
        this.state.set({ state: 'running', run }); // STARTING -> RUNNING
        run.readiness.startLiveness((detail) => this.onUnhealthy(run, detail));
        return;
      case 'timeout': {
        // A oneshot's readiness is its exit: its timeout's detail says what happened.
        const failure =
          this.config.type === 'oneshot' ? result.detail : `not ready within ${formatDuration(this.config.ready?.timeoutMs ?? 0)} (${result.detail})`;
        this.stopAsFailed(run, failure, `${this.name} is ${failure}; stopping it`);
        return;
      }
      case 'cancelled':
        return;
    }
  }

  private onUnhealthy(run: Run, detail: string): void {
    const status = this.status;
    if (status.state !== 'running' || status.run !== run) return;
    const failure = `unhealthy (${detail})`;
    this.stopAsFailed(run, failure, `${this.name} is ${failure}; restarting it`);
  }

  // A missed WATCHDOG=1 (once running) or WATCHDOG=trigger (also while starting): stopped
  // with the watchdog's signal, and counted as a failed run like an unhealthy one.
  private onWatchdogFailure(run: Run, failure: WatchdogFailure): void {
    const { watchdog } = this.config;
    const status = this.status;
    if (watchdog === undefined || (status.state !== 'starting' && status.state !== 'running') || status.run !== run) return;
    const detail = describeWatchdogFailure(failure);
    this.stopAsFailed(run, detail, `${this.name}: ${detail}; stopping it with ${watchdog.signal}`, watchdog.signal);
  }

  // corral itself ends the run because a check or the watchdog failed: the run counts as
  // failed, whatever its exit, and is stopped within stop_timeout.
  protected stopAsFailed(run: Run, probeFailure: string, warning: string, signal = this.config.stop_signal): void {
    run.probeFailure = probeFailure;
    this.ctx.logger.warn(warning);
    const { stop_timeoutMs: graceMs } = this.config;
    void this.terminate(run, graceMs, this.ctx.clock.now() + graceMs + KILL_WAIT_MS, NEVER, signal);
  }

  // The main process ended (or never started). Acted on at once: the output is awaited
  // only briefly, what is left in the group is stopped, then the next state is chosen.
  private async onExit(run: Run | undefined, outcome: ExitOutcome): Promise<void> {
    if (run === undefined) {
      this.lastOutcome = outcome;
      return this.stopRequested ? this.toStopped(`${this.name} stopped (${describeOutcome(outcome)})`) : this.decide(undefined, outcome);
    }
    run.readiness.cancel();
    if (run === this.unendedRun) this.unendedRun = undefined;
    if (run.handled) {
      // Given up on after SIGKILL: its late exit changes no state, but while no newer run
      // exists it is how the service last ended.
      if (this.run === undefined) this.lastOutcome = outcome;
      return;
    }
    this.lastOutcome = outcome;
    let closed = false;
    void run.started.outputClosed.then(() => (closed = true));
    // Past a stop's deadline there is no time to wait for the last lines here: they are
    // drained, bounded, after the state is chosen.
    const settleMs = this.stopRequested ? Math.min(EXIT_SETTLE_MS, Math.max(0, this.stopRequested.deadline - this.ctx.clock.now())) : EXIT_SETTLE_MS;
    await waitFor(this.ctx.clock, { condition: () => closed, timeoutMs: settleMs, pollMs: EXIT_SETTLE_MS, wake: run.started.outputClosed });
    if (run.handled) return;
    run.stopping ??= this.stopLeftovers(run, outcome);
    await run.stopping;
    if (run.handled) return;
    run.handled = true;
    this.outputDrained = drainAfterEnd(run.started, this.stopRequested !== undefined);
    if (this.stopRequested) return this.toStopped(`${this.name} stopped (${describeOutcome(outcome)})`);
    this.decide(run, outcome);
  }

  // A restart or a final state never leaves the run's other processes behind.
  private stopLeftovers(run: Run, outcome: ExitOutcome): Promise<StopResult> {
    const left = this.ctx.kernel.groupMembers(run.pid).length;
    if (left === 0) return Promise.resolve('stopped');
    this.ctx.logger.info(`${this.name} ${describeOutcome(outcome)}; stopping the ${left} process(es) left in its group`);
    if (this.status.state !== 'stopping') this.state.set({ state: 'stopping', run });
    return stopLeftovers(run, this.name, this.ctx, { signal: this.config.stop_signal, graceMs: this.config.stop_timeoutMs });
  }

  // A run whose main process survived SIGKILL: reported by the stop procedure, left
  // behind, and the service moves on as if it had ended.
  private abandon(run: Run, why: string): void {
    run.handled = true;
    run.readiness.cancel();
    const how = `could not be stopped (${why})`;
    if (this.stopRequested) return this.toStopped(`${this.name} ${how}; left behind`);
    this.decide(run, undefined, how);
  }

  // Overridden by a scheduled service (scheduled-runner.ts), which goes back to its schedule.
  protected decide(run: Run | undefined, outcome: ExitOutcome | undefined, how = describeEnd(run, outcome)): void {
    const now = this.ctx.clock.now();
    const failed = outcome === undefined || run?.probeFailure !== undefined || !isSuccess(outcome);
    const facts = { failed, uptimeMs: run ? now - run.startedAt : 0, now };
    const decision = decideAfterExit(this.config, facts, this.history, this.ctx.random);
    switch (decision.action) {
      case 'restart':
        this.history = decision.history;
        this.state.set({ state: 'backoff', delayMs: decision.delayMs }); // STARTING | RUNNING | STOPPING -> BACKOFF
        this.ctx.logger.log(failed ? 'warn' : 'info', `${this.name} ${how}; restarting in ${formatDuration(decision.delayMs)}`);
        this.restartTimer = this.ctx.clock.setTimer(() => {
          this.restartTimer = undefined;
          this.restarts += 1;
          this.spawn();
        }, decision.delayMs);
        return;
      case 'done':
        this.state.set({ state: 'exited' });
        this.ctx.logger.info(`${this.name} ${how}; not restarting (restart: ${this.config.restart})`);
        return;
      case 'give-up':
        this.ctx.logger.error(`${this.name} ${how}; giving up (${decision.reason})`);
        this.state.set({ state: 'fatal', failure: how });
        return;
    }
  }

  private toStopped(message?: string): void {
    this.state.set({ state: 'stopped', byOperator: this.stopRequested?.byOperator ?? false });
    if (message) this.ctx.logger.info(message);
  }

  // A bug in corral's handling of one run: reported with its stack, and the run counts as
  // failed, so the service restarts with backoff as usual and corral goes on.
  private internalError(run: Run | undefined, error: unknown): void {
    this.ctx.logger.error(`${this.name}: internal error: ${(error as Error).stack ?? String(error)}`);
    const status = this.status;
    if (run === undefined) {
      if (status.state === 'starting' && status.run === undefined) this.decide(undefined, internalFailure(error));
      return;
    }
    if (!run.handled && (status.state === 'starting' || status.state === 'running') && status.run === run)
      this.stopAsFailed(run, 'internal error', `${this.name}: stopping it after an internal error`);
  }
}
