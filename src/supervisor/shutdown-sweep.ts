// The last stage of a shutdown: whatever is still alive after the services stopped
// (daemons that double-forked, orphans, grandchildren) gets SIGTERM + SIGCONT, a short
// grace while orphans are reaped, then SIGKILL. As PID 1 that is everything in the
// container (kill(-1)); as a subreaper only corral's own descendants, never kill(-1),
// which would hit processes that are not ours (docker exec shells, other containers).
import type { Logger } from 'winston';
import type { Reaper } from '../native/reaper.js';
import { describeStuck, descendantsOf, readProcTable, type ProcEntry } from '../process/proc-table.js';
import { waitUntil } from './timing.js';

export type InitMode = 'pid1' | 'subreaper';

const POLL_MS = 25;
const KILL_WAIT_MS = 1000;
const SWEEP_RESERVE_MAX_MS = 1500;
const SWEEP_GRACE_MAX_MS = 1000;

// The part of a shutdown budget kept back for the sweep, so that stopping the services
// (or an init script) cannot use up all of it: a fifth, at most 1.5 s.
export function sweepReserveMs(budgetMs: number): number {
  return Math.min(SWEEP_RESERVE_MAX_MS, budgetMs * 0.2);
}

// How long the sweep lets leftovers live between SIGTERM and SIGKILL: what is left of the
// budget, at most 1 s, and nothing after a second shutdown signal.
export function sweepGraceMs(deadline: number, now: number, forced: boolean): number {
  return forced ? 0 : Math.min(SWEEP_GRACE_MAX_MS, Math.max(0, deadline - now));
}

interface Scope {
  signalAll(signal: NodeJS.Signals): void;
  anyLeft(): boolean;
  list(): ProcEntry[];
}

function pid1Scope(): Scope {
  return {
    signalAll: (signal) => killAll(signal),
    anyLeft: () => killAll(0),
    list: () => readProcTable().filter((entry) => entry.pid !== process.pid),
  };
}

// kill(-1, signal): every process in the namespace but ourselves. False on ESRCH (none).
function killAll(signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-1, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function subtreeScope(): Scope {
  const list = (): ProcEntry[] => descendantsOf(process.pid);
  return {
    signalAll: (signal) => {
      for (const { pid } of list()) {
        try {
          process.kill(pid, signal);
        } catch {
          // exited meanwhile
        }
      }
    },
    anyLeft: () => list().length > 0,
    list,
  };
}

// Terminates what is left, within graceMs for SIGTERM plus a bounded wait after SIGKILL.
// Returns the processes that survived even SIGKILL (uninterruptible sleep).
export async function sweepLeftovers(mode: InitMode, graceMs: number, reaper: Reaper, logger: Logger): Promise<ProcEntry[]> {
  const scope = mode === 'pid1' ? pid1Scope() : subtreeScope();
  const gone = (): boolean => {
    reaper.reapNow(); // zombies count as processes for kill(-1, 0)
    return !scope.anyLeft();
  };
  if (gone()) return [];
  const leftovers = scope.list();
  logger.info(`${leftovers.length} process(es) left over (${summarize(leftovers)}); sending SIGTERM`);
  scope.signalAll('SIGTERM');
  scope.signalAll('SIGCONT');
  if (await waitUntil(gone, graceMs, POLL_MS)) return [];
  logger.warn(`${scope.list().length} process(es) ignored SIGTERM; sending SIGKILL`);
  scope.signalAll('SIGKILL');
  if (await waitUntil(gone, KILL_WAIT_MS, POLL_MS)) return [];
  const stuck = scope.list();
  for (const entry of stuck) logger.warn(`could not kill ${describeStuck(entry)}; the kernel will remove it when it can`);
  return stuck;
}

function summarize(entries: ProcEntry[]): string {
  const names = [...new Set(entries.map((entry) => entry.comm))];
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')}, ...`;
}
