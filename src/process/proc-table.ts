// A snapshot of /proc: which processes exist, their parents, groups and states. Used for
// the shutdown sweep in subreaper mode and to report what could not be killed.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z, T, ... (proc(5)) */
  state: string;
  comm: string;
}

// The fields of one /proc/PID/stat line, indexed by their number in proc(5) so callers can
// write fields[5] for pgrp and fields[24] for rss; index 0 is unused and field 2 is comm
// without its parentheses. Undefined for a line that is not a stat line.
export function parseStatLine(text: string): string[] | undefined {
  // comm may contain spaces and ')': the fields after it start at the last ')'.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 1 || close < open) return undefined;
  const rest = text
    .slice(close + 2)
    .trimEnd()
    .split(' ');
  return ['', text.slice(0, open - 1), text.slice(open + 1, close), ...rest];
}

export function readProcEntry(pid: number): ProcEntry | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const fields = parseStatLine(text);
  if (!fields) return undefined;
  const [, , comm = '', state = '?', ppid = '0', pgid = '0'] = fields;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state, comm };
}

export function readProcTable(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcEntry(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}

// Every process whose chain of parents leads to `root` (root itself excluded).
export function descendantsOf(root: number, table: ProcEntry[] = readProcTable()): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  for (const entry of table) {
    const siblings = children.get(entry.ppid);
    if (siblings) siblings.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  const found: ProcEntry[] = [];
  // /proc is read one process at a time, so a reused pid can make the table loop.
  const seen = new Set([root]);
  const stack = [root];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue;
      seen.add(child.pid);
      found.push(child);
      stack.push(child.pid);
    }
  }
  return found;
}

// "pid 42 (sleep), state D, waiting in kernel_clone" for a process that would not die.
export function describeStuck(entry: ProcEntry): string {
  let wchan = '';
  try {
    wchan = readFileSync(`/proc/${entry.pid}/wchan`, 'latin1').trim();
  } catch {
    // gone meanwhile, or wchan hidden: report without it
  }
  const where = wchan && wchan !== '0' ? `, waiting in ${wchan}` : '';
  return `pid ${entry.pid} (${entry.comm}), state ${entry.state}${where}`;
}
