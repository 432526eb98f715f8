// Runs the init scripts one at a time, before any service starts, each as a service run
// would be: through the exec shim (so a script that cannot be executed is reported as
// that, not as exit code 127), in its own session and process group, with real pipes
// whose lines are relayed with its label, corral's environment, and working directory /.
// The first failure ends the run; a shutdown signal stops the running script (SIGTERM
// and SIGCONT to its group, SIGKILL after the grace) and starts no other.
import { formatDuration } from '../config/duration.js';
import { serviceConfigOf, serviceSchema, type ServiceConfig } from '../config/schema.js';
import { isSuccess, type ExitOutcome } from '../process/exit-outcome.js';
import { groupExists, signalGroup, stopGroup } from '../process/process-group.js';
import type { InitScript } from './init-listing.js';
import { launch } from './launch.js';
import type { RunnerContext } from './runner-context.js';
import { waitUntil } from './timing.js';

export type InitResult =
  | { kind: 'done' }
  | { kind: 'failed'; script: InitScript; outcome: ExitOutcome; tookMs: number }
  /** A shutdown signal came: `script` is the one it stopped, if one was running. */
  | { kind: 'interrupted'; signal: NodeJS.Signals; script?: InitScript; outcome?: ExitOutcome };

// As for a service: how long the pipes may stay quiet after the script exited (a daemon
// it started may hold them open for ever), and less while stopping.
const EXIT_DRAIN_MS = 1000;
const STOP_DRAIN_MS = 200;
const KILL_WAIT_MS = 1000;
const GROUP_POLL_MS = 20;

// "init:10-setup": the label column's text, without what would break a log line.
export function initLabel(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return `init:${name.replace(/[\u0000-\u001f\u007f|]/g, '?')}`;
}

// A script as launch() takes a service: a oneshot with every default, working_dir /.
export function initScriptConfig(script: InitScript): ServiceConfig {
  const settings = serviceSchema.parse({ command: [script.path], type: 'oneshot', working_dir: '/' });
  return serviceConfigOf(settings, { name: initLabel(script.name), file: script.path });
}

interface Current {
  script: InitScript;
  pid: number | undefined;
  /** Set by interrupt(): resolves once the script's group is gone, or given up on. */
  stopped?: Promise<void>;
}

export class InitRunner {
  private current: Current | undefined;
  private stopSignal: NodeJS.Signals | undefined;
  /** A second shutdown signal: skip the rest of the grace. */
  private againSignal: NodeJS.Signals | undefined;
  private force: () => void = () => undefined;
  private readonly forced = new Promise<void>((resolve) => (this.force = resolve));

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

  // A shutdown signal: the first one stops the running script within graceMs, a second
  // one kills it at once. run() resolves once it is gone.
  interrupt(signal: NodeJS.Signals, graceMs: number): void {
    if (this.stopSignal !== undefined) {
      this.againSignal ??= signal;
      this.force();
      return;
    }
    this.stopSignal = signal;
    const current = this.current;
    if (current?.pid === undefined) return;
    this.ctx.logger.info(`received ${signal} during init script ${current.script.name}: sending it SIGTERM (SIGKILL after ${formatDuration(graceMs)}); no service will be started`);
    current.stopped = this.stop(current.script, current.pid, graceMs);
  }

  // SIGTERM and SIGCONT to the script's group (a sleep its shell waits for included), the
  // grace, then SIGKILL and a bounded wait, as a service is stopped.
  private async stop(script: InitScript, pgid: number, graceMs: number): Promise<void> {
    const gone = (): boolean => !groupExists(pgid);
    stopGroup(pgid, 'SIGTERM');
    if (await waitUntil(gone, graceMs, GROUP_POLL_MS, this.forced)) return;
    const why = this.againSignal === undefined ? `still running ${formatDuration(graceMs)} after SIGTERM` : `received ${this.againSignal} again`;
    this.ctx.logger.warn(`init script ${script.name}: ${why}; sending SIGKILL to its process group`);
    signalGroup(pgid, 'SIGKILL');
    if (!(await waitUntil(gone, KILL_WAIT_MS, GROUP_POLL_MS))) {
      this.ctx.logger.warn(`init script ${script.name}: its process group ${pgid} is still there after SIGKILL; not waiting for it`);
    }
  }

  private async runOne(script: InitScript): Promise<{ outcome: ExitOutcome; tookMs: number }> {
    const startedAt = this.ctx.now();
    this.ctx.logger.info(`init: running ${script.name}`);
    const started = launch(initScriptConfig(script), this.ctx, {
      env: this.ctx.env,
      drain: () => (this.stopSignal === undefined ? { ms: EXIT_DRAIN_MS, strict: false } : { ms: STOP_DRAIN_MS, strict: true }),
      dropQueues: {},
      lineCounts: { stdout: { lines: 0 }, stderr: { lines: 0 } },
    });
    const current: Current = { script, pid: started.pid };
    this.current = current;
    const outcome = await started.ended;
    await current.stopped;
    this.current = undefined;
    const tookMs = this.ctx.now() - startedAt;
    // A failure is reported by the caller, which knows what it means for the container.
    if (isSuccess(outcome)) this.ctx.logger.info(`init: ${script.name} exited with code 0 after ${formatDuration(tookMs)}`);
    return { outcome, tookMs };
  }
}
