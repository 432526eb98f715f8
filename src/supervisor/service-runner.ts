// Runs one service: spawns it with real pipes for its output, follows its exit, restarts it
// per its policy, and stops it (stop signal + SIGCONT to its process group, bounded wait,
// SIGKILL). Decisions come from restart-policy.ts; this class only acts on them.
import { closeSync } from 'node:fs';
import type { Logger } from 'winston';
import type { ServiceConfig } from '../config/schema.js';
import { formatDuration } from '../config/duration.js';
import type { LabelColumn } from '../logging/label-column.js';
import type { OutputSink } from '../logging/output-sink.js';
import { PipeRelay } from '../logging/pipe-relay.js';
import type { NativeAddon } from '../native/addon.js';
import { describeOutcome, type ExitOutcome } from '../process/exit-outcome.js';
import { groupExists, signalGroup, stopGroup } from '../process/process-group.js';
import { describeStuck, readProcEntry } from '../process/proc-table.js';
import { spawnProcess } from '../process/spawn.js';
import { decideAfterExit } from './restart-policy.js';
import { ServiceStateHolder } from './service-state.js';
import { sleep, waitUntil } from './timing.js';

// How long output may keep arriving after the process exited (a grandchild can hold the
// pipe open for ever); shorter while stopping, where the budget counts.
const EXIT_DRAIN_MS = 1000;
const STOP_DRAIN_MS = 200;
// After SIGKILL the kernel needs a moment; a process still there after this is stuck (D).
const KILL_WAIT_MS = 1000;
const GROUP_POLL_MS = 20;

export interface RunnerContext {
  addon: NativeAddon;
  stdout: OutputSink;
  stderr: OutputSink;
  logger: Logger;
  labels: LabelColumn;
  env: Record<string, string>;
  maxLineBytes: number;
  now: () => number;
}

interface Running {
  pid: number;
  /** Resolves once the exit was handled (output drained, next state chosen). */
  settled: Promise<void>;
}

export class ServiceRunner {
  readonly state: ServiceStateHolder;
  private running: Running | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private streak = 0;
  private wantedUp = false;
  restarts = 0;
  lastOutcome: ExitOutcome | undefined;

  constructor(
    readonly config: ServiceConfig,
    private readonly ctx: RunnerContext,
  ) {
    this.state = new ServiceStateHolder(config.name);
  }

  get name(): string {
    return this.config.name;
  }

  get pid(): number | undefined {
    return this.running?.pid;
  }

  start(): void {
    this.wantedUp = true;
    this.spawn();
  }

  // Sends `signal` to the service's process group; false when it is not running.
  signal(signal: NodeJS.Signals): boolean {
    return this.running !== undefined && signalGroup(this.running.pid, signal);
  }

  // Stops the service within its stop_timeout, cut short at deadlineAt or when `forced`
  // resolves, then SIGKILLs its group. Never waits without a bound.
  async stop(deadlineAt: number, forced: Promise<void>): Promise<void> {
    this.wantedUp = false;
    if (this.restartTimer !== undefined) {
      clearTimeout(this.restartTimer);
      this.restartTimer = undefined;
      this.state.transition('stopped'); // BACKOFF -> STOPPED: no process to stop
      return;
    }
    const running = this.running;
    if (running === undefined) return;
    const { name, stop_signal: stopSignal, stop_timeout: stopTimeout } = this.config;
    this.state.transition('stopping'); // RUNNING -> STOPPING
    const graceMs = Math.max(0, Math.min(stopTimeout, deadlineAt - this.ctx.now()));
    this.ctx.logger.debug(`stopping ${name} with ${stopSignal} (waiting up to ${formatDuration(graceMs)})`);
    stopGroup(running.pid, stopSignal);
    const graceEnd = this.ctx.now() + graceMs;
    const exited = await Promise.race([running.settled.then(() => true), sleep(graceMs).then(() => false), forced.then(() => false)]);
    // The main process may be gone while others in its group (workers, a TERM-ignoring
    // grandchild) are not: they get the rest of the same grace.
    const groupGone = exited && (await waitUntil(() => !groupExists(running.pid), graceEnd - this.ctx.now(), GROUP_POLL_MS, forced));
    if (groupGone) return;
    const what = exited ? `processes left in ${name}'s group` : name;
    const why = this.ctx.now() < graceEnd ? 'shutdown forced' : `did not stop within ${formatDuration(graceMs)} of ${stopSignal}`;
    this.ctx.logger.warn(`${what}: ${why}; sending SIGKILL`);
    signalGroup(running.pid, 'SIGKILL');
    const killed = await waitUntil(() => !groupExists(running.pid), KILL_WAIT_MS, GROUP_POLL_MS);
    await Promise.race([running.settled, sleep(KILL_WAIT_MS)]);
    if (!killed) this.reportStuck(running.pid);
  }

  private spawn(): void {
    this.state.transition('starting'); // STOPPED | BACKOFF | EXITED | FATAL -> STARTING
    const { name, argv } = this.config;
    const pipes = this.openPipes();
    if (pipes === undefined) return;
    const [[outRead, outWrite], [errRead, errWrite]] = pipes;
    const child = spawnProcess({ argv, env: this.ctx.env, stdoutFd: outWrite, stderrFd: errWrite });
    // Our copies of the write ends must go, or the relays never see EOF.
    closeSync(outWrite);
    closeSync(errWrite);
    if (child.pid === undefined) {
      closeSync(outRead);
      closeSync(errRead);
      void child.outcome.then((outcome) => this.afterEnd(outcome, 0));
      return;
    }
    const label = this.ctx.labels.pad(name);
    const relays = [
      new PipeRelay(outRead, label, this.ctx.maxLineBytes, this.ctx.stdout),
      new PipeRelay(errRead, label, this.ctx.maxLineBytes, this.ctx.stderr),
    ];
    const startedAt = this.ctx.now();
    const settled = child.outcome.then(async (outcome) => {
      const drainMs = this.state.state === 'stopping' ? STOP_DRAIN_MS : EXIT_DRAIN_MS;
      await Promise.all(relays.map((relay) => relay.drain(drainMs)));
      this.running = undefined;
      this.afterEnd(outcome, this.ctx.now() - startedAt);
    });
    this.running = { pid: child.pid, settled };
    this.state.transition('running'); // STARTING -> RUNNING
    this.ctx.logger.info(`${name} started (pid ${child.pid})`);
  }

  private openPipes(): [[number, number], [number, number]] | undefined {
    const opened: [number, number][] = [];
    try {
      opened.push(this.ctx.addon.pipe());
      opened.push(this.ctx.addon.pipe());
      return [opened[0]!, opened[1]!];
    } catch (error) {
      for (const fd of opened.flat()) closeSync(fd);
      const message = `cannot create its output pipes: ${(error as Error).message}`;
      this.afterEnd({ kind: 'spawn-failed', errno: (error as { errno?: string }).errno ?? 'UNKNOWN', message }, 0);
      return undefined;
    }
  }

  private afterEnd(outcome: ExitOutcome, uptimeMs: number): void {
    this.lastOutcome = outcome;
    const { name, restart } = this.config;
    const what = `${name} ${describeOutcome(outcome)}`;
    if (this.state.state === 'stopping') {
      this.state.transition('stopped'); // STOPPING -> STOPPED
      this.ctx.logger.info(`${name} stopped (${describeOutcome(outcome)})`);
      return;
    }
    const level = outcome.kind === 'exited' && outcome.code === 0 ? 'info' : 'warn';
    const decision = this.wantedUp ? decideAfterExit(this.config, outcome, uptimeMs, this.streak) : { restart: false as const };
    if (decision.restart) {
      this.streak = decision.streak;
      this.state.transition('backoff'); // RUNNING | STARTING -> BACKOFF
      this.ctx.logger.log(level, `${what}; restarting in ${formatDuration(decision.delayMs)}`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.restarts += 1;
        this.spawn();
      }, decision.delayMs);
      return;
    }
    if (this.state.state === 'starting') {
      this.state.transition(this.wantedUp ? 'fatal' : 'stopped'); // STARTING -> FATAL | STOPPED
    } else {
      this.state.transition('exited'); // RUNNING -> EXITED
    }
    this.ctx.logger.log(level, `${what}; not restarting (restart: ${restart})`);
  }

  private reportStuck(pgid: number): void {
    const entry = readProcEntry(pgid);
    const detail = entry ? describeStuck(entry) : `process group ${pgid}`;
    this.ctx.logger.warn(`${this.name} is still there after SIGKILL: ${detail}; not waiting for it`);
  }
}
