// corral's own resource limits, read from /proc/self/limits. Node raised its soft
// RLIMIT_NOFILE to the hard limit at startup, and children would inherit that (often
// 1048576 in containers, which daemons that close or poll every fd handle badly), so a
// service gets systemd's default unless it says otherwise: soft 1024, hard unchanged.
import { readFileSync } from 'node:fs';
import type { RlimitName, RlimitValue } from './exec-shim.js';

const LABELS: Record<RlimitName, string> = {
  nofile: 'Max open files',
  nproc: 'Max processes',
  core: 'Max core file size',
  memlock: 'Max locked memory',
  stack: 'Max stack size',
  as: 'Max address space',
};

export const DEFAULT_NOFILE_SOFT = 1024;

// The hard limit named, parsed from /proc/self/limits text.
export function hardLimit(name: RlimitName, limitsText: string): RlimitValue['hard'] | undefined {
  const line = limitsText.split('\n').find((row) => row.startsWith(LABELS[name]));
  const hard = line?.slice(LABELS[name].length).trim().split(/\s+/)[1];
  if (hard === undefined) return undefined;
  return hard === 'unlimited' ? 'unlimited' : Number(hard);
}

// The nofile limit a service gets when its file sets none.
export function defaultNofile(limitsText: string = readFileSync('/proc/self/limits', 'utf8')): RlimitValue {
  const hard = hardLimit('nofile', limitsText) ?? DEFAULT_NOFILE_SOFT;
  const soft = hard === 'unlimited' || hard >= DEFAULT_NOFILE_SOFT ? DEFAULT_NOFILE_SOFT : hard;
  return { soft, hard };
}
