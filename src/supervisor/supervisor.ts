// The one place that acts on the services as a whole: starts each when its dependencies
// are ready (decided by start-plan.ts), blocks those whose dependencies failed, reacts to
// the main service and on_failure, applies reloads (restarting the dependents of changed
// services, as decided by reload-plan.ts), forwards signals, and shuts
// everything down within one budget: dependents before their dependencies, independent
// services in parallel, then the sweep of what is left.
import type { Logger } from '../shared/logger.js';
import { formatDuration } from '../shared/format-duration.js';
import type { ServiceConfig } from '../config/service-config.js';
import type { LogRing } from '../logging/log-ring.js';
import { describeOutcome, outcomeExitCode } from '../process/exit-outcome.js';
import { ExitCode } from '../shared/exit-codes.js';
import { diffServices } from './reload-diff.js';
import { withRotatedSecrets } from './secret-rotation.js';
import { describeKept, planReload, summarizeReload, type ReloadNode, type ReloadResult } from './reload-plan.js';
import type { RunnerContext } from './runner-context.js';
import { ServiceRunner } from './service-runner.js';
import { ScheduledRunner } from './scheduled-runner.js';
import { sweepLeftovers, sweepReserveMs, type InitMode } from './shutdown-sweep.js';
import { startActions } from './start-plan.js';
import { describeChain, stopInOrder, viewsOf } from './service-graph.js';
import type { ServiceState } from './states.js';
import { Latch, waitFor } from './clock.js';
import { mainExitCode } from './main-exit-code.js';
import { groupsOf } from './replica-groups.js';
import { readinessOf, type Readiness } from './rolling-restart.js';

export type SupervisorPhase = 'running' | 'stopping' | 'forced';

/** How often waitReady looks: a rolling restart's step is seconds long, this is noise. */
const READY_POLL_MS = 50;

export interface SupervisorOptions {
  services: readonly ServiceConfig[];
  context: RunnerContext;
  mode: InitMode;
  /** CORRAL_SHUTDOWN_TIMEOUT: everything, sweep included, should be done within it. */
  shutdownBudgetMs: number;
  /** After any service's state changed: corral trims its memory once they settle (memory-trimmer.ts). */
  onChange?: () => void;
}

export class Supervisor {
  private readonly runners = new Map<string, ServiceRunner>();
  private currentPhase: SupervisorPhase = 'running';
  /** Set by what ended the container (the main service, on_failure: shutdown). */
  private exitCode: number | undefined;
  private reconcileQueued = false;
  /** Reloads and operator actions, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private busy = false;
  /** Set by a second shutdown signal: every wait goes straight to SIGKILL. */
  private readonly forced = new Latch();
  /** The shutdown signal, for the exit code when the main service never ran. */
  private shutdownSignal: NodeJS.Signals | undefined;
  private markStarted: () => void = () => undefined;
  /** Resolves once start() ran (or a shutdown made it moot): reloads wait for it. */
  private readonly started = new Promise<void>((resolve) => {
    this.markStarted = resolve;
  });
  private readonly shutdownBegun = new AbortController();
  /** Aborted when the shutdown begins: what waits for something a shutdown makes moot can stop. */
  readonly stopping: AbortSignal = this.shutdownBegun.signal;
  private finish: (code: number) => void = () => undefined;
  /** Resolves with corral's exit code once the shutdown is complete. */
  readonly finished = new Promise<number>((resolve) => {
    this.finish = resolve;
  });

  constructor(private readonly options: SupervisorOptions) {
    for (const config of options.services) this.add(config);
  }

  private get logger(): Logger {
    return this.options.context.logger;
  }

  get services(): readonly ServiceRunner[] {
    return [...this.runners.values()];
  }

  get phase(): SupervisorPhase {
    return this.currentPhase;
  }

  runner(name: string): ServiceRunner | undefined {
    return this.runners.get(name);
  }

  // The services as operator-plan.ts and reload-plan.ts see them: the explicit depends_on
  // (not the main service's "after every other service") and the current states.
  planNodes(): ReloadNode[] {
    return this.services.map((runner) => ({
      name: runner.name,
      type: runner.config.type,
      depends_on: runner.config.depends_on,
      main: runner.config.main,
      state: runner.state.state,
      replica: runner.config.replica,
    }));
  }

  // Each service with replicas and its instances, as they run now.
  groups(): Map<string, string[]> {
    return groupsOf(this.services.map((runner) => runner.config));
  }

  // Resolves once `name` is ready (rolling-restart.ts), has failed or was stopped, after
  // `timeoutMs`, or when a shutdown begins, saying which.
  async waitReady(name: string, timeoutMs: number): Promise<'ready' | 'failed' | 'timeout' | 'shutdown'> {
    const readiness = (): Readiness => {
      const runner = this.runners.get(name);
      return runner === undefined ? 'failed' : readinessOf(runner.config.type, runner.state.state);
    };
    const end = await waitFor(this.options.context.clock, {
      condition: () => this.currentPhase !== 'running' || readiness() !== 'pending',
      timeoutMs,
      pollMs: READY_POLL_MS,
    });
    if (this.currentPhase !== 'running') return 'shutdown';
    const now = readiness();
    return end === 'timeout' || now === 'pending' ? 'timeout' : now;
  }

  // Runs `task` after every reload and operator action queued before it, so two never
  // interleave (a restart in the middle of a reload would see half the new services).
  serialize<T>(task: () => Promise<T>): Promise<T> {
    this.queued += 1;
    const result = this.queue.then(async () => {
      this.queued -= 1;
      this.busy = true;
      try {
        return await task();
      } finally {
        this.busy = false;
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Reloads and operator actions waiting for the one running: a long one (a rolling restart) makes way. */
  get tasksWaiting(): number {
    return this.queued;
  }

  private get main(): ServiceRunner | undefined {
    return this.services.find((runner) => runner.config.main);
  }

  start(): void {
    if (this.currentPhase === 'running') {
      for (const runner of this.runners.values()) runner.await();
      this.reconcile();
    }
    this.markStarted();
  }

  // USR1, USR2, WINCH: to the main service when there is one, else to every service.
  forward(signal: NodeJS.Signals): void {
    if (this.currentPhase !== 'running') return;
    const targets = this.main ? [this.main] : this.services;
    const reached = targets.filter((runner) => runner.signal(signal)).map((runner) => runner.name);
    this.logger.info(`received ${signal}; forwarded to ${reached.length > 0 ? reached.join(', ') : 'no running service'}`);
  }

  // A shutdown signal. The first: graceful shutdown. A second: skip the remaining graces.
  shutdownOnSignal(signal: NodeJS.Signals): void {
    if (this.currentPhase !== 'running') return this.requestShutdown(`received ${signal}`);
    this.shutdownSignal = signal;
    this.requestShutdown(`received ${signal}`);
  }

  // First call: graceful shutdown. A second call without a code: skip the remaining graces.
  requestShutdown(reason: string, exitCode?: number): void {
    if (this.currentPhase === 'running') {
      this.currentPhase = 'stopping';
      this.exitCode ??= exitCode;
      this.shutdownBegun.abort(new Error('corral is shutting down'));
      this.markStarted();
      void this.shutdown(reason).catch((error: unknown) => this.shutdownFailed(error));
    } else if (this.currentPhase === 'stopping' && exitCode === undefined) {
      this.currentPhase = 'forced';
      this.logger.warn(`${reason} again: stopping now, without waiting for the services`);
      this.forced.set();
    }
  }

  // A bug in corral (an exception that reached the top): every service is stopped in
  // order within the budget, and then corral exits 111.
  internalError(error: unknown): void {
    this.logger.error(`internal error, stopping everything in order: ${(error as Error).stack ?? String(error)}`);
    this.exitCode = ExitCode.system;
    if (this.currentPhase === 'running') this.requestShutdown(`internal error (${(error as Error).message ?? String(error)})`, ExitCode.system);
    else this.forced.set();
  }

  // The shutdown itself failed: nothing orderly is left to try.
  private shutdownFailed(error: unknown): void {
    this.logger.error(`internal error during shutdown: ${(error as Error).stack ?? String(error)}`);
    this.forced.set();
    this.finish(ExitCode.system);
  }

  // HUP: apply a new configuration: start added services, stop removed ones, restart
  // changed ones and what depends on them (reload-plan.ts), leave the rest running.
  // Reloads run one at a time.
  // A reload before start() (a HUP while the control socket is being set up) waits for it.
  reload(next: readonly ServiceConfig[]): Promise<ReloadResult | undefined> {
    if (this.busy) this.logger.info('reload: waiting for the reload or command under way (corral start, stop, restart) to end');
    return this.serialize(async () => {
      await this.started;
      return this.applyReload(next);
    });
  }

  private async applyReload(next: readonly ServiceConfig[]): Promise<ReloadResult | undefined> {
    if (this.currentPhase !== 'running') return undefined;
    const rotation = withRotatedSecrets(
      diffServices(
        this.services.map((runner) => runner.config),
        next,
      ),
      (name) => {
        const runner = this.runners.get(name);
        return runner?.pid === undefined ? undefined : runner.launchedSecrets;
      },
    );
    for (const note of rotation.notes) this.logger.log(note.level, `reload: ${note.text}`);
    const { diff } = rotation;
    const plan = planReload(diff, this.planNodes());
    this.logger.info(`reload: ${summarizeReload({ diff, plan })}`);
    for (const note of describeKept(plan)) this.logger.log(note.level, `reload: ${note.text}`);
    const restarting = plan.restart.map((entry) => entry.name);
    const leaving = [...diff.removed, ...diff.changed].map((config) => config.name);
    // The dependents stop first (stopInOrder walks the running graph), and wait again once
    // stopped: the start plan starts them when the new instances they need are ready.
    await this.stopChain([...leaving, ...restarting], new Latch());
    if (this.currentPhase !== 'running') return undefined;
    for (const config of diff.removed) {
      // Its followers (corral logs -f) get its last lines, drained within a bound, then the word.
      const runner = this.runners.get(config.name)!;
      const end = (): void => runner.logRing.end(`${config.name} was removed by a reload`);
      void runner.outputDrained.then(end, end);
      this.runners.delete(config.name);
    }
    for (const config of [...diff.changed, ...diff.added]) {
      // A changed service keeps its ring: its history, and whoever follows it.
      const ring = this.runners.get(config.name)?.logRing;
      this.runners.delete(config.name);
      // From here its history (how its runs ended, which a main service's exit code is) starts anew.
      if (ring !== undefined) this.logger.debug(`reload: ${config.name} now runs its new definition`);
      this.add(config, ring).await();
    }
    for (const name of restarting) this.runners.get(name)!.await();
    for (const config of diff.unchanged) this.runners.get(config.name)!.adopt(config);
    this.signalUnchanged(diff.unchanged.filter((config) => !restarting.includes(config.name)));
    this.reconcile();
    return { diff, plan };
  }

  // `corral stop`: stops `names` (dependents first, as at shutdown), each within its
  // stop_timeout; they stay stopped until started again.
  async stopServices(names: readonly string[]): Promise<void> {
    await this.stopChain(names, this.forced, true);
  }

  // `corral start`: `names` wait for their dependencies and start once those are ready;
  // those of them in `runNow` that are scheduled run once at once, then on schedule.
  startServices(names: readonly string[], runNow: readonly string[] = []): void {
    if (this.currentPhase !== 'running') return;
    for (const name of names) {
      const runner = this.runners.get(name)!;
      runner.await();
      if (runner instanceof ScheduledRunner && runNow.includes(name)) runner.runWhenReady();
    }
    this.reconcile();
  }

  // An unchanged service with reload_signal is asked to re-read its own configuration,
  // as nginx does on HUP; the others are left alone.
  private signalUnchanged(unchanged: readonly ServiceConfig[]): void {
    const reached: string[] = [];
    for (const config of unchanged) {
      const signal = config.reload_signal;
      if (signal !== undefined && this.runners.get(config.name)?.signal(signal)) reached.push(`${config.name} (${signal})`);
    }
    if (reached.length > 0) this.logger.info(`reload: sent reload_signal to ${reached.join(', ')}`);
  }

  private add(config: ServiceConfig, logRing?: LogRing): ServiceRunner {
    const onChange = (changed: ServiceRunner, from: ServiceState, to: ServiceState): void => this.onChange(changed, from, to);
    const { context } = this.options;
    const runner = config.schedule ? new ScheduledRunner(config, context, onChange, logRing) : new ServiceRunner(config, context, onChange, logRing);
    this.runners.set(config.name, runner);
    this.options.context.labels.width = Math.max(this.options.context.labels.width, config.log.prefix.length);
    return runner;
  }

  private onChange(runner: ServiceRunner, from: ServiceState, to: ServiceState): void {
    this.logger.debug(`${runner.name}: ${from} -> ${to}`);
    this.options.onChange?.();
    if (this.currentPhase !== 'running' || this.runners.get(runner.name) !== runner) return;
    const { main, on_failure: onFailure } = runner.config;
    const outcome = runner.lastOutcome;
    if (main && (to === 'exited' || to === 'fatal') && outcome !== undefined) {
      const code = outcomeExitCode(outcome);
      this.requestShutdown(`the main service ${runner.name} ${describeOutcome(outcome)}`, code);
      return;
    }
    if (main && to === 'blocked') {
      this.requestShutdown(`the main service ${runner.name} cannot start`, ExitCode.serviceFailed);
      return;
    }
    if (to === 'fatal' && onFailure === 'shutdown') {
      // A failure without a code of its own (a probe stopped it and it exited 0) is 1.
      const code = (outcome && outcomeExitCode(outcome)) || ExitCode.serviceFailed;
      this.requestShutdown(`${runner.name} failed and has on_failure: shutdown`, code);
      return;
    }
    this.reconcile();
  }

  // Starts what can start and blocks what never will; batched, since one change can
  // enable many services.
  private reconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    queueMicrotask(() => {
      this.reconcileQueued = false;
      if (this.currentPhase !== 'running') return;
      for (const action of startActions(viewsOf(this.services))) {
        const runner = this.runners.get(action.name)!;
        if (action.kind === 'start') {
          runner.start();
        } else {
          this.logger.error(`${runner.name} will not start: ${describeChain(this.runners, action.chain)}`);
          runner.block(action.chain);
        }
      }
    });
  }

  // Dependents stop before their dependencies: a chain may take the sum of its timeouts
  // (each service is still held to its own stop_timeout).
  // Once a shutdown has begun, a reload's or an operator's chain starts no further stop:
  // the shutdown stops everything, in its own order (a reload's would stop a dependency
  // under the main service, which a reload leaves running).
  private stopChain(names: readonly string[], forced: Latch, byOperator = false): Promise<void> {
    const total = names.reduce((sum, name) => sum + this.runners.get(name)!.config.stop_timeoutMs, 0);
    const deadline = this.options.context.clock.now() + total;
    return stopInOrder(this.runners, names, (runner) => (this.currentPhase === 'running' ? runner.stop(deadline, forced, byOperator) : Promise.resolve()));
  }

  private async shutdown(reason: string): Promise<void> {
    const { clock, kernel } = this.options.context;
    const started = clock.now();
    const budget = this.options.shutdownBudgetMs;
    const deadline = started + budget;
    this.logger.info(`${reason}: stopping ${this.runners.size} service(s), dependents first (budget ${formatDuration(budget)})`);
    const stopBy = deadline - sweepReserveMs(budget);
    await stopInOrder(this.runners, [...this.runners.keys()], (runner) => runner.stop(stopBy, this.forced));
    await sweepLeftovers({ kernel, clock, logger: this.logger, mode: this.options.mode, deadline, forced: this.forced });
    // The last lines of every service, for what is left of the budget.
    let drained = false;
    void Promise.all(this.services.map((runner) => runner.outputDrained)).then(() => (drained = true));
    await waitFor(clock, { condition: () => drained, timeoutMs: deadline - clock.now(), pollMs: 50 });
    const code = this.exitCode ?? mainExitCode(this.main, this.shutdownSignal);
    this.logger.info(`stopped in ${formatDuration(clock.now() - started)}; exiting with code ${code}`);
    this.finish(code);
  }
}
