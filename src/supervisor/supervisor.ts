// Starts the services in order, forwards signals to them, and shuts everything down within
// one budget: services in reverse start order, then the sweep of what is left.
import type { Logger } from 'winston';
import { formatDuration } from '../config/duration.js';
import type { ServiceConfig } from '../config/schema.js';
import type { Reaper } from '../native/reaper.js';
import { signalGroup, stopGroup } from '../process/process-group.js';
import { ServiceRunner, type RunnerContext } from './service-runner.js';
import { sweepLeftovers, type InitMode } from './shutdown-sweep.js';
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

// Kept back from the services' stop budget for the final sweep.
const SWEEP_RESERVE_MAX_MS = 1500;
const SWEEP_GRACE_MAX_MS = 1000;
const EMERGENCY_GRACE_MS = 1000;

export class Supervisor {
  readonly runners: readonly ServiceRunner[];
  private phase: SupervisorPhase = 'running';
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
    this.runners = options.services.map((config) => new ServiceRunner(config, options.context));
  }

  private get logger(): Logger {
    return this.options.context.logger;
  }

  start(): void {
    // Signal listeners do not keep Node's event loop alive: without this, corral would
    // exit as soon as every service has exited, and an init must stay up until told to stop.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    void this.finished.then(() => clearInterval(keepAlive));
    for (const runner of this.runners) runner.start();
  }

  // Forwards a signal to every running service's process group.
  forward(signal: NodeJS.Signals): void {
    if (this.phase !== 'running') return;
    const reached = this.runners.filter((runner) => runner.signal(signal)).map((runner) => runner.name);
    this.logger.info(`received ${signal}; forwarded to ${reached.length > 0 ? reached.join(', ') : 'no running service'}`);
  }

  // First call: graceful shutdown. A second call: skip the remaining graces.
  requestShutdown(reason: string): void {
    if (this.phase === 'running') {
      this.phase = 'stopping';
      void this.shutdown(reason);
    } else if (this.phase === 'stopping') {
      this.phase = 'forced';
      this.logger.warn(`${reason} again: stopping now, without waiting for the services`);
      this.force();
    }
  }

  private async shutdown(reason: string): Promise<void> {
    const { now } = this.options.context;
    const started = now();
    const budget = this.options.shutdownBudgetMs;
    const reserve = Math.min(SWEEP_RESERVE_MAX_MS, budget * 0.2);
    const deadline = started + budget;
    this.logger.info(`${reason}: stopping ${this.runners.length} service(s) in reverse order (budget ${formatDuration(budget)})`);
    for (const runner of [...this.runners].reverse()) await runner.stop(deadline - reserve, this.forced);
    const graceMs = this.phase === 'forced' ? 0 : Math.min(SWEEP_GRACE_MAX_MS, Math.max(0, deadline - now()));
    await sweepLeftovers(this.options.mode, graceMs, this.options.reaper, this.logger);
    this.logger.info(`stopped in ${formatDuration(now() - started)}; exiting with code 0`);
    this.finish(0);
  }

  // After an internal error: no orderly stop is possible any more, so TERM+CONT every
  // service group, wait briefly, KILL the rest. Resolves when done.
  async emergencyStop(): Promise<void> {
    this.phase = 'forced';
    const pids = this.runners.map((runner) => runner.pid).filter((pid): pid is number => pid !== undefined);
    for (const pid of pids) stopGroup(pid, 'SIGTERM');
    await waitUntil(() => pids.every((pid) => !signalGroup(pid, 0)), EMERGENCY_GRACE_MS, 20);
    for (const pid of pids) signalGroup(pid, 'SIGKILL');
    await sleep(20);
  }
}
