// What a service runner shows of its service, for status, metrics and the start plan:
// its state and the facts that travel with it (the run, the failure, what blocks it), how
// its last run ended, and its output counters. service-runner.ts drives the service;
// nothing here changes a state.
import type { ServiceConfig } from '../config/service-config.js';
import type { ExitOutcome } from '../process/exit-outcome.js';
import { LogRing } from '../logging/log-ring.js';
import { dropQueuesFor, type DropQueues } from './launch.js';
import type { RunnerContext } from './runner-context.js';
import type { Run } from './service-run.js';
import type { ServiceStateHolder } from './service-state.js';
import type { ServiceStatus } from './states.js';

export abstract class RunnerFacts {
  abstract readonly state: ServiceStateHolder<Run>;
  restarts = 0;
  lastOutcome: ExitOutcome | undefined;
  /** The newest run that had a process, until its exit is seen: lastOutcome is older than it. */
  protected unendedRun: Run | undefined;
  /** The output of the last run still being relayed, bounded. */
  outputDrained: Promise<void> = Promise.resolve();
  /** log.mode: drop: one queue per stream for all runs, so restarts share the budget. */
  readonly dropQueues: DropQueues;
  /** Of the secret files' values its newest launched run got: a reload restarts it when they changed. */
  launchedSecrets: string | undefined;
  /** Lines read from each stream over all runs. */
  readonly lineCounts = { stdout: { lines: 0 }, stderr: { lines: 0 } };
  constructor(
    private settings: ServiceConfig,
    protected readonly ctx: RunnerContext,
    /** Its last lines over all runs, for corral logs: the previous runner's after a reload changed the service. */
    readonly logRing: LogRing = new LogRing(ctx.addon.indexLines),
  ) {
    this.dropQueues = dropQueuesFor(settings, ctx);
  }

  get config(): ServiceConfig {
    return this.settings;
  }

  // A reload found the service unchanged (reload-diff.ts) in all that decides how it runs,
  // so it keeps running; its next start takes `config`: its file's new name, and the count
  // of its group when only that changed.
  adopt(config: ServiceConfig): void {
    this.settings = config;
  }

  /** Its newest run had a process whose exit was never seen (even one SIGKILL could not end). */
  get newestRunUnended(): boolean {
    return this.unendedRun !== undefined;
  }

  get name(): string {
    return this.config.name;
  }

  get status(): ServiceStatus<Run> {
    return this.state.status;
  }

  protected get run(): Run | undefined {
    const status = this.status;
    return status.state === 'starting' || status.state === 'running' || status.state === 'stopping' ? status.run : undefined;
  }

  get pid(): number | undefined {
    return this.run?.pid;
  }

  /** When the current run started, by ctx.clock. */
  get startedAt(): number | undefined {
    return this.run?.startedAt;
  }

  /** Why it failed for good, for the messages of its dependents. */
  get failure(): string | undefined {
    return this.status.state === 'fatal' ? this.status.failure : undefined;
  }

  /** For a blocked service: the chain of dependencies down to the failed one. */
  get blockedBy(): readonly string[] | undefined {
    return this.status.state === 'blocked' ? this.status.chain : undefined;
  }

  /** Stopped with `corral stop`: stays stopped until started again. */
  get stoppedByOperator(): boolean {
    return this.status.state === 'stopped' && this.status.byOperator;
  }
}
