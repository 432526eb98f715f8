// What the lifecycle core asks of the operating system, as one interface: start a run of
// a service, signal a process group, tell whether it still exists, describe a process
// that will not die, and reach whatever is left at the end. Production wires the real
// kernel (real-kernel.ts); the simulation (test/sim) a fake one with processes that
// ignore signals, never die, or cannot be spawned.
import type { ServiceConfig } from '../config/service-config.js';
import type { ExitOutcome } from '../process/exit-outcome.js';
import type { LaunchOptions } from './launch.js';

export interface StartedRun {
  /** undefined when no process could be started; `exited` then says why. */
  pid: number | undefined;
  /** Resolves once the main process ended (an exec failure included), without waiting
   * for its output: a grandchild may hold the pipes open for ever. */
  exited: Promise<ExitOutcome>;
  /** Resolves when the output reached EOF and every line of it went to the output. */
  outputClosed: Promise<void>;
  /** Stops relaying once the pipes have been quiet for quietMs (or at once when strict
   * and the output is blocked), at the latest after maxMs; then flushes what is left. */
  drainOutput(quietMs: number, maxMs: number, strict: boolean): Promise<void>;
}

/** Every process left at the end: as PID 1 all of them, as a subreaper our descendants. */
export interface Leftovers {
  signalAll(signal: NodeJS.Signals): void;
  anyLeft(): boolean;
  /** "pid 12 (sleep), state D, in ..." for each process still there. */
  describe(): string[];
  /** Short names, for the log line that announces the sweep. */
  names(): string[];
}

export interface Kernel {
  launch(config: ServiceConfig, options: LaunchOptions): StartedRun;
  /** Sends `signal` to process group `pgid` (0: only checks); false when the group is gone. */
  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean;
  /** "pid 12 (sleep), state D, in ..." for each live process in group `pgid`. */
  groupMembers(pgid: number): string[];
  leftovers(mode: 'pid1' | 'subreaper'): Leftovers;
  /** Reaps orphans now (zombies count as processes for kill(-1, 0)). */
  reapNow(): void;
}

// A run that never had a process: `exited` says why at once.
export function notStarted(outcome: ExitOutcome): StartedRun {
  return { pid: undefined, exited: Promise.resolve(outcome), outputClosed: Promise.resolve(), drainOutput: () => Promise.resolve() };
}
