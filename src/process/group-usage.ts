// CPU time, memory and process count of whole process groups, read from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { parseStatLine } from './proc-table.js';

export interface GroupUsage {
  /** utime + stime of the group's live processes, plus what they reaped (cutime + cstime). */
  cpuSeconds: number;
  /** Resident memory of the group's processes, summed. */
  rssBytes: number;
  processes: number;
}

interface GroupTotals {
  ticks: number;
  rssPages: number;
  processes: number;
}

// `corral status` shows each service's whole process group, not only its leader: a shell
// wrapper or a forking server does its work in children. Every service is summed in the
// same single pass over /proc (one readdir, one read of each process's stat), so status
// costs the same for one service as for fifty. Every requested pgid gets an entry, zeros
// when nothing is in the group. `constants` comes from the addon's systemConstants(); a
// missing procRoot throws, since zeros would claim that nothing runs.
export function readGroupUsage(pgids: Iterable<number>, constants: { pageSize: number; clockTicks: number }, procRoot = '/proc'): Map<number, GroupUsage> {
  const totals = new Map<number, GroupTotals>();
  for (const pgid of pgids) totals.set(pgid, { ticks: 0, rssPages: 0, processes: 0 });
  if (totals.size > 0) {
    for (const name of readdirSync(procRoot)) {
      if (!/^\d+$/.test(name)) continue;
      addProcess(totals, `${procRoot}/${name}/stat`);
    }
  }
  const usage = new Map<number, GroupUsage>();
  for (const [pgid, { ticks, rssPages, processes }] of totals) {
    usage.set(pgid, { cpuSeconds: ticks / constants.clockTicks, rssBytes: rssPages * constants.pageSize, processes });
  }
  return usage;
}

// Adds one process to its group's totals, if its group was asked for.
function addProcess(totals: Map<number, GroupTotals>, statPath: string): void {
  let text: string;
  try {
    text = readFileSync(statPath, 'latin1');
  } catch {
    return; // exited between readdir and read
  }
  const fields = parseStatLine(text);
  const group = fields && totals.get(Number(fields[5]));
  if (!fields || !group) return;
  // utime, stime, cutime, cstime (proc(5) fields 14-17), in clock ticks.
  const ticks = [14, 15, 16, 17].reduce((sum, n) => sum + (Number(fields[n]) || 0), 0);
  group.ticks += ticks;
  // A zombie has released its memory; only its exit status is left to reap.
  if (fields[3] !== 'Z') group.rssPages += Number(fields[24]) || 0;
  group.processes += 1;
}
