// The last stage of a shutdown: whatever is still alive after the services stopped
// (daemons that double-forked, orphans, grandchildren) goes through the one stop
// procedure: SIGTERM + SIGCONT, a short grace while orphans are reaped, SIGKILL, a
// bounded wait. As PID 1 that is everything in the container (kill(-1)); as a subreaper
// only corral's own descendants (the kernel's leftovers() decides).
import type { Logger } from '../shared/logger.js';
import type { Clock, Latch } from './clock.js';
import type { Kernel } from './kernel.js';
import { stopProcesses, type StopResult } from './stop-procedure.js';

export type InitMode = 'pid1' | 'subreaper';

const SWEEP_RESERVE_MAX_MS = 1500;
const SWEEP_GRACE_MAX_MS = 1000;
const POLL_MS = 25;

// The part of a shutdown budget kept back for the sweep, so that stopping the services
// (or an init script) cannot use up all of it: a fifth, at most 1.5 s.
export function sweepReserveMs(budgetMs: number): number {
  return Math.min(SWEEP_RESERVE_MAX_MS, budgetMs * 0.2);
}

export interface SweepOptions {
  kernel: Kernel;
  clock: Clock;
  logger: Logger;
  mode: InitMode;
  /** The shutdown's deadline: the sweep's waits end by it (but the kill floor). */
  deadline: number;
  /** A second shutdown signal: no grace, SIGKILL at once. */
  forced: Latch;
}

// Terminates what is left: SIGTERM, at most 1 s of grace within the deadline, SIGKILL.
export async function sweepLeftovers(options: SweepOptions): Promise<StopResult> {
  const { kernel, clock, logger, mode, deadline, forced } = options;
  const leftovers = kernel.leftovers(mode);
  const gone = (): boolean => {
    kernel.reapNow(); // zombies count as processes for kill(-1, 0)
    return !leftovers.anyLeft();
  };
  if (gone()) return 'stopped';
  const names = leftovers.names();
  logger.info(
    `${leftovers.describe().length} process(es) left over (${names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, ...`}); sending SIGTERM`,
  );
  return stopProcesses(
    { what: 'the sweep', signal: (signal) => leftovers.signalAll(signal), gone, describeStuck: () => leftovers.describe() },
    { clock, logger, signal: 'SIGTERM', graceMs: forced.isSet ? 0 : SWEEP_GRACE_MAX_MS, deadline, forced, pollMs: POLL_MS },
  );
}
