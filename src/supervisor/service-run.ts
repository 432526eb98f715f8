// One run of a service, as its runner keeps it, and what goes with a run: the timings of
// its end, the stop target for its process group, and how a fault in corral's own spawn
// path becomes that run's failure. An init script's run ends the same way: its output is
// drained and its group stopped with the same helpers.
import { describeOutcome, type ExitOutcome } from '../process/exit-outcome.js';
import type { Latch } from './clock.js';
import type { Kernel, StartedRun } from './kernel.js';
import type { Readiness } from './watch-readiness.js';
import type { StopResult, StopTarget } from './stop-procedure.js';

// How long an exit waits for the output's EOF, so that a service's last lines come before
// the line that says it exited even on a loaded machine; a grandchild holding the pipe
// delays the exit by this much at most, never for ever.
export const EXIT_SETTLE_MS = 1000;
// After an exit the output is relayed until EOF, or until quiet this long, or at most
// OUTPUT_DRAIN_MAX_MS; while stopping, STOP_DRAIN_MS of quiet and a slow reader no excuse.
const EXIT_DRAIN_MS = 1000;
const STOP_DRAIN_MS = 200;
const OUTPUT_DRAIN_MAX_MS = 5000;

export interface Run {
  pid: number;
  startedAt: number;
  started: StartedRun;
  readiness: Readiness;
  /** Set when corral itself ended the run because a probe or the watchdog failed. */
  probeFailure?: string;
  /** The stop procedure under way for its group, if any. */
  stopping?: Promise<StopResult>;
  /** Cuts that procedure's grace short: a second shutdown signal, or a stop's deadline
   * that comes before the procedure's own (leftovers being stopped when the shutdown
   * begins). */
  cut: Latch;
  /** Its exit was handled and the next state chosen, or it was given up on. */
  handled: boolean;
  settled: Promise<void>;
}

// The run's process group as the stop procedure sees it. What it says when SIGKILL is due:
// the service, or what its main process left behind.
export function groupTarget(run: Run, kernel: Kernel, name: string): StopTarget {
  let mainExited = false;
  void run.started.exited.then(() => (mainExited = true));
  return processGroupTarget(kernel, run.pid, run.started.exited, () => (mainExited ? `the process(es) left in ${name}'s group` : name));
}

// Process group `pgid` (a service run's, an init script's) as the stop procedure sees it,
// woken when its main process exits.
export function processGroupTarget(kernel: Kernel, pgid: number, exited: Promise<unknown>, what: () => string): StopTarget {
  return {
    get what() {
      return what();
    },
    signal: (signal) => void kernel.signalGroup(pgid, signal),
    gone: () => !kernel.signalGroup(pgid, 0),
    describeStuck: () => kernel.groupMembers(pgid),
    wake: exited,
  };
}

// The last lines of a run that ended (a service's or an init script's): relayed until EOF,
// but never for ever, since a daemon it started may hold its pipes open.
export function drainAfterEnd(started: StartedRun, stopping: boolean): Promise<void> {
  return stopping ? started.drainOutput(STOP_DRAIN_MS, OUTPUT_DRAIN_MAX_MS, true) : started.drainOutput(EXIT_DRAIN_MS, OUTPUT_DRAIN_MAX_MS, false);
}

export function internalFailure(error: unknown): ExitOutcome {
  return { kind: 'spawn-failed', errno: 'EINTERNAL', message: `internal error: ${(error as Error).message ?? String(error)}` };
}

// How a run ended, in words: "exited with code 3", "was stopped: unhealthy (...)".
export function describeEnd(run: Run | undefined, outcome: ExitOutcome | undefined): string {
  return run?.probeFailure ? `was stopped: ${run.probeFailure}` : describeOutcome(outcome!);
}
