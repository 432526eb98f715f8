// The one place that acts on the services as a whole: starts each when its dependencies
// are ready (decided by start-plan.ts), blocks those whose dependencies failed, reacts to
// the main service and on_failure, applies reloads (restarting the dependents of changed
// services, as decided by reload-plan.ts), forwards signals, and shuts
// everything down within one budget: dependents before their dependencies, independent
// services in parallel, then the sweep of what is left.
import type { Logger } from 'winston';
import { formatDuration } from '../config/duration.js';
import { dependentsOf } from '../config/dependency-graph.js';
import type { ServiceConfig } from '../config/schema.js';
import type { Reaper } from '../native/reaper.js';
import { describeOutcome, outcomeExitCode } from '../process/exit-outcome.js';
import { signalGroup, stopGroup } from '../process/process-group.js';
import { diffServices } from './reload-diff.js';
import { describeKept, planReload, summarizeReload, type ReloadNode, type ReloadResult } from './reload-plan.js';
import type { RunnerContext } from './runner-context.js';
import { ServiceRunner } from './service-runner.js';
import { sweepGraceMs, sweepLeftovers, sweepReserveMs, type InitMode } from './shutdown-sweep.js';
import { startActions, type ServiceView } from './start-plan.js';
import type { ServiceState } from './states.js';
import { sleep, waitUntil } from './timing.js';

export type SupervisorPhase = 'running' | 'stopping' | 'forced';

export interface SupervisorOptions {
  services: readonly ServiceConfig[];
  context: RunnerContext;
  reaper: Reaper;
  mode: InitMode;
  /** CORRAL_SHUTDOWN_TIMEOUT: everything, sweep included, should be done within it. */
  shutdownBudgetMs: number;
}

const EMERGENCY_GRACE_MS = 1000;
const REQUIRED_SERVICE_FAILED = 1;

export class Supervisor {
  private readonly runners = new Map<string, ServiceRunner>();
  private currentPhase: SupervisorPhase = 'running';
  /** Set by what ended the container (the main service, on_failure: shutdown). */
  private exitCode: number | undefined;
  private reconcileQueued = false;
  /** Reloads and operator actions, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private force: () => void = () => undefined;
  private readonly forced = new Promise<void>((resolve) => {
    this.force = resolve;
  });
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
    return this.services.map((runner) => ({ name: runner.name, type: runner.config.type, depends_on: runner.config.depends_on, main: runner.config.main, state: runner.state.state }));
  }

  // Runs `task` after every reload and operator action queued before it, so two never
  // interleave (a restart in the middle of a reload would see half the new services).
  serialize<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private get main(): ServiceRunner | undefined {
    return this.services.find((runner) => runner.config.main);
  }

  start(): void {
    // Signal listeners do not keep Node's event loop alive: without this, corral would
    // exit as soon as every service has exited, and an init must stay up until told to stop.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    void this.finished.then(() => clearInterval(keepAlive));
    for (const runner of this.runners.values()) runner.await();
    this.reconcile();
  }

  // USR1, USR2, WINCH: to the main service when there is one, else to every service.
  forward(signal: NodeJS.Signals): void {
    if (this.currentPhase !== 'running') return;
    const targets = this.main ? [this.main] : this.services;
    const reached = targets.filter((runner) => runner.signal(signal)).map((runner) => runner.name);
    this.logger.info(`received ${signal}; forwarded to ${reached.length > 0 ? reached.join(', ') : 'no running service'}`);
  }

  // First call: graceful shutdown. A second call: skip the remaining graces.
  requestShutdown(reason: string, exitCode?: number): void {
    if (this.currentPhase === 'running') {
      this.currentPhase = 'stopping';
      this.exitCode ??= exitCode;
      void this.shutdown(reason);
    } else if (this.currentPhase === 'stopping' && exitCode === undefined) {
      this.currentPhase = 'forced';
      this.logger.warn(`${reason} again: stopping now, without waiting for the services`);
      this.force();
    }
  }

  // HUP: apply a new configuration: start added services, stop removed ones, restart
  // changed ones and what depends on them (reload-plan.ts), leave the rest running.
  // Reloads run one at a time.
  reload(next: readonly ServiceConfig[]): Promise<ReloadResult | undefined> {
    return this.serialize(() => this.applyReload(next));
  }

  private async applyReload(next: readonly ServiceConfig[]): Promise<ReloadResult | undefined> {
    if (this.currentPhase !== 'running') return undefined;
    const diff = diffServices(this.services.map((runner) => runner.config), next);
    const plan = planReload(diff, this.planNodes());
    this.logger.info(`reload: ${summarizeReload({ diff, plan })}`);
    for (const note of describeKept(plan)) this.logger.log(note.level, `reload: ${note.text}`);
    const restarting = plan.restart.map((entry) => entry.name);
    const leaving = [...diff.removed, ...diff.changed].map((config) => config.name);
    // The dependents stop first (stopInOrder walks the running graph), and wait again once
    // stopped: the start plan starts them when the new instances they need are ready.
    await this.stopChain([...leaving, ...restarting], new Promise(() => undefined));
    if (this.currentPhase !== 'running') return undefined;
    for (const config of diff.removed) this.runners.delete(config.name);
    for (const config of [...diff.changed, ...diff.added]) {
      this.runners.delete(config.name);
      this.add(config).await();
    }
    for (const name of restarting) this.runners.get(name)!.await();
    this.signalUnchanged(diff.unchanged.filter((config) => !restarting.includes(config.name)));
    this.reconcile();
    return { diff, plan };
  }

  // `corral stop`: stops `names` (dependents first, as at shutdown), each within its
  // stop_timeout; they stay stopped until started again.
  async stopServices(names: readonly string[]): Promise<void> {
    for (const name of names) this.runners.get(name)!.stoppedByOperator = true;
    await this.stopChain(names, this.forced);
  }

  // `corral start`: `names` wait for their dependencies and start once those are ready.
  startServices(names: readonly string[]): void {
    if (this.currentPhase !== 'running') return;
    for (const name of names) this.runners.get(name)!.await();
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

  private add(config: ServiceConfig): ServiceRunner {
    const runner = new ServiceRunner(config, this.options.context, (changed, from, to) => this.onChange(changed, from, to));
    this.runners.set(config.name, runner);
    this.options.context.labels.width = Math.max(this.options.context.labels.width, config.log.prefix.length);
    return runner;
  }

  private onChange(runner: ServiceRunner, from: ServiceState, to: ServiceState): void {
    this.logger.debug(`${runner.name}: ${from} -> ${to}`);
    if (this.currentPhase !== 'running' || this.runners.get(runner.name) !== runner) return;
    const { main, on_failure: onFailure } = runner.config;
    const outcome = runner.lastOutcome;
    if (main && (to === 'exited' || to === 'fatal') && outcome !== undefined) {
      const code = outcomeExitCode(outcome);
      this.requestShutdown(`the main service ${runner.name} ${describeOutcome(outcome)}`, code);
      return;
    }
    if (main && to === 'blocked') {
      this.requestShutdown(`the main service ${runner.name} cannot start`, REQUIRED_SERVICE_FAILED);
      return;
    }
    if (to === 'fatal' && onFailure === 'shutdown') {
      // A failure without a code of its own (a probe stopped it and it exited 0) is 1.
      const code = (outcome && outcomeExitCode(outcome)) || REQUIRED_SERVICE_FAILED;
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
      for (const action of startActions(this.views())) {
        const runner = this.runners.get(action.name)!;
        if (action.kind === 'start') {
          runner.start();
        } else {
          this.logger.error(`${runner.name} will not start: ${this.describeChain(action.chain)}`);
          runner.block(action.chain);
        }
      }
    });
  }

  // "it needs api, which needs migrate, which failed: exited with code 2"
  private describeChain(chain: readonly string[]): string {
    const failed = this.runners.get(chain[chain.length - 1] ?? '');
    const why = failed?.failure ?? (failed ? `is ${failed.state.state}` : 'is missing');
    return `${chain.map((name, index) => `${index === 0 ? 'it needs' : ', which needs'} ${name}`).join('')}, which ${why}`;
  }

  private views(): Map<string, ServiceView> {
    const names = [...this.runners.keys()];
    return new Map(
      this.services.map((runner) => [
        runner.name,
        {
          name: runner.name,
          type: runner.config.type,
          // The command after `--` waits for every other service.
          depends_on: runner.config.after_all ? names.filter((name) => name !== runner.name) : runner.config.depends_on,
          state: runner.state.state,
          blockedBy: runner.blockedBy,
        },
      ]),
    );
  }

  // Dependents stop before their dependencies: a chain may take the sum of its timeouts
  // (each service is still held to its own stop_timeout).
  private stopChain(names: readonly string[], forced: Promise<void>): Promise<void> {
    const total = names.reduce((sum, name) => sum + this.runners.get(name)!.config.stop_timeout, 0);
    return this.stopInOrder(names, this.options.context.now() + total, forced);
  }

  // Stops `names`, each only after those of its dependents that are stopping too:
  // dependents first, independent services in parallel.
  private stopInOrder(names: readonly string[], deadline: number, forced: Promise<void>): Promise<void> {
    const dependents = dependentsOf([...this.views().values()]);
    const stopping = new Set(names);
    const done = new Map<string, Promise<void>>();
    const stopOne = (name: string): Promise<void> => {
      const known = done.get(name);
      if (known) return known;
      const first = (dependents.get(name) ?? []).filter((dependent) => stopping.has(dependent));
      const promise = Promise.all(first.map(stopOne)).then(() => this.runners.get(name)?.stop(deadline, forced));
      done.set(name, promise);
      return promise;
    };
    return Promise.all(names.map(stopOne)).then(() => undefined);
  }

  private async shutdown(reason: string): Promise<void> {
    const { now } = this.options.context;
    const started = now();
    const budget = this.options.shutdownBudgetMs;
    const reserve = sweepReserveMs(budget);
    const deadline = started + budget;
    this.logger.info(`${reason}: stopping ${this.runners.size} service(s), dependents first (budget ${formatDuration(budget)})`);
    await this.stopInOrder([...this.runners.keys()], deadline - reserve, this.forced);
    const graceMs = sweepGraceMs(deadline, now(), this.currentPhase === 'forced');
    await sweepLeftovers(this.options.mode, graceMs, this.options.reaper, this.logger);
    const mainOutcome = this.main?.lastOutcome;
    const code = this.exitCode ?? (mainOutcome ? outcomeExitCode(mainOutcome) : 0);
    this.logger.info(`stopped in ${formatDuration(now() - started)}; exiting with code ${code}`);
    this.finish(code);
  }

  // After an internal error: no orderly stop is possible any more, so TERM+CONT every
  // service group, wait briefly, KILL the rest. Resolves when done.
  async emergencyStop(): Promise<void> {
    this.currentPhase = 'forced';
    const pids = this.services.map((runner) => runner.pid).filter((pid): pid is number => pid !== undefined);
    for (const pid of pids) stopGroup(pid, 'SIGTERM');
    await waitUntil(() => pids.every((pid) => !signalGroup(pid, 0)), EMERGENCY_GRACE_MS, 20);
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
    await sleep(20);
  }
}
