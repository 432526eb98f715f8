// Memory figures of a process from /proc/<pid>/status, in MiB as the kernel counts them
// (its "kB" are KiB), or undefined once it is gone. VmRSS is what it holds now; VmHWM is
// the peak of VmRSS since it started.
import { readFileSync } from 'node:fs';

export function memoryMib(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(text);
  return match ? Number(match[1]) / 1024 : undefined;
}
