// Runs the init scripts one at a time, before any service starts, each as a service run
// would be: through the exec shim (so a script that cannot be executed is reported as
// that, not as exit code 127), in its own session and process group, with real pipes
// whose lines are relayed with its label, corral's environment, and working directory /.
// The first failure ends the run; a shutdown signal stops the running script (SIGTERM
// and SIGCONT to its group, SIGKILL after the grace) and starts no other.
import { formatDuration } from '../shared/format-duration.js';
import { oneshotSettings } from '../config/oneshot-settings.js';
import { serviceConfigOf, type ServiceConfig } from '../config/service-config.js';
import { isSuccess, type ExitOutcome } from '../process/exit-outcome.js';
import { Latch } from './clock.js';
import type { StartedRun } from './kernel.js';
import type { InitScript } from './init-listing.js';
import type { RunnerContext } from './runner-context.js';
import { drainAfterEnd, processGroupTarget } from './service-run.js';
import { stopProcesses } from './stop-procedure.js';

export type InitResult =
  | { kind: 'done' }
  | { kind: 'failed'; script: InitScript; outcome: ExitOutcome; tookMs: number }
  /** A shutdown signal came: `script` is the one it stopped, if one was running. */
  | { kind: 'interrupted'; signal: NodeJS.Signals; script?: InitScript; outcome?: ExitOutcome };

// "init:10-setup": the label column's text, without what would break a log line.
export function initLabel(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return `init:${name.replace(/[\u0000-\u001f\u007f|]/g, '?')}`;
}

// A script as launch() takes a service: a oneshot with every default, working_dir /.
export function initScriptConfig(script: InitScript): ServiceConfig {
  return serviceConfigOf(oneshotSettings([script.path], '/'), { name: initLabel(script.name), file: script.path });
}

interface Current {
  script: InitScript;
  started: StartedRun;
  /** Set by interrupt(): resolves once the script's group is gone, or given up on. */
  stopped?: Promise<unknown>;
}

export class InitRunner {
  private current: Current | undefined;
  private stopSignal: NodeJS.Signals | undefined;
  /** A second shutdown signal: skip the rest of the grace (and the sweep's). */
  readonly forced = new Latch();

  constructor(
    private readonly scripts: readonly InitScript[],
    private readonly ctx: RunnerContext,
  ) {}

  // Runs every script in order; resolves at the first failure, at a shutdown signal once
  // the running script is gone, or when all succeeded.
  async run(): Promise<InitResult> {
    for (const script of this.scripts) {
      if (this.stopSignal !== undefined) return { kind: 'interrupted', signal: this.stopSignal };
      const { outcome, tookMs } = await this.runOne(script);
      if (this.stopSignal !== undefined) return { kind: 'interrupted', signal: this.stopSignal, script, outcome };
      if (!isSuccess(outcome)) return { kind: 'failed', script, outcome, tookMs };
    }
    return { kind: 'done' };
  }

  // A shutdown signal: the first one stops the running script by `deadline`, a second
  // one kills it at once. run() resolves once it is gone.
  interrupt(signal: NodeJS.Signals, deadline: number): void {
    if (this.stopSignal !== undefined) {
      this.forced.set();
      return;
    }
    this.stopSignal = signal;
    const current = this.current;
    const pgid = current?.started.pid;
    if (current === undefined || pgid === undefined) return;
    const { kernel, clock, logger } = this.ctx;
    const graceMs = Math.max(0, deadline - clock.now());
    logger.info(
      `received ${signal} during init script ${current.script.name}: sending it SIGTERM (SIGKILL after ${formatDuration(graceMs)}); no service will be started`,
    );
    const target = processGroupTarget(kernel, pgid, current.started.exited, () => `init script ${current.script.name}`);
    current.stopped = stopProcesses(target, { clock, logger, signal: 'SIGTERM', graceMs: Number.POSITIVE_INFINITY, deadline, forced: this.forced });
  }

  private async runOne(script: InitScript): Promise<{ outcome: ExitOutcome; tookMs: number }> {
    const startedAt = this.ctx.clock.now();
    this.ctx.logger.info(`init: running ${script.name}`);
    const started = this.ctx.kernel.launch(initScriptConfig(script), {
      env: this.ctx.env,
      dropQueues: {},
      lineCounts: { stdout: { lines: 0 }, stderr: { lines: 0 } },
    });
    const current: Current = { script, started };
    this.current = current;
    const outcome = await started.exited;
    await current.stopped;
    // An init script's output is part of its result: relayed to EOF, but never for ever.
    await drainAfterEnd(started, this.stopSignal !== undefined);
    this.current = undefined;
    const tookMs = this.ctx.clock.now() - startedAt;
    // A failure is reported by the caller, which knows what it means for the container.
    if (isSuccess(outcome)) this.ctx.logger.info(`init: ${script.name} exited with code 0 after ${formatDuration(tookMs)}`);
    return { outcome, tookMs };
  }
}
