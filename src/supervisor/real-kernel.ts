// The Kernel of production: real processes, real process groups, /proc.
import type { Reaper } from '../native/reaper.js';
import { signalGroup } from '../process/process-group.js';
import { describeStuck, descendantsOf, readProcTable, type ProcEntry } from '../process/proc-table.js';
import type { Kernel, Leftovers } from './kernel.js';
import { launch } from './launch.js';
import type { RunnerContext } from './runner-context.js';

export function realKernel(ctx: () => RunnerContext, reaper: Pick<Reaper, 'reapNow'>): Kernel {
  return {
    launch: (config, options) => launch(config, ctx(), options),
    signalGroup,
    groupMembers: (pgid) =>
      readProcTable()
        .filter((entry) => entry.pgid === pgid && entry.state !== 'Z')
        .map(describeStuck),
    leftovers: (mode) => (mode === 'pid1' ? pid1Leftovers() : subtreeLeftovers()),
    reapNow: () => reaper.reapNow(),
  };
}

function leftoversOf(list: () => ProcEntry[], signalAll: (signal: NodeJS.Signals) => void, anyLeft: () => boolean): Leftovers {
  return {
    signalAll,
    anyLeft,
    describe: () => list().map(describeStuck),
    names: () => [...new Set(list().map((entry) => entry.comm))],
  };
}

// As PID 1: everything in the namespace but corral, through kill(-1).
function pid1Leftovers(): Leftovers {
  return leftoversOf(
    () => readProcTable().filter((entry) => entry.pid !== process.pid),
    (signal) => void killAll(signal),
    () => killAll(0),
  );
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

// As a subreaper: only corral's own descendants, never kill(-1), which would hit
// processes that are not ours (docker exec shells, other containers' processes).
function subtreeLeftovers(): Leftovers {
  const list = (): ProcEntry[] => descendantsOf(process.pid);
  return leftoversOf(
    list,
    (signal) => {
      for (const { pid } of list()) {
        try {
          process.kill(pid, signal);
        } catch {
          // exited meanwhile
        }
      }
    },
    () => list().length > 0,
  );
}
