// Idle figures of the cost benchmark (bench/cost.ts): each PID 1 with N `sleep` services
// and nothing else happening. All of a round's PID 1s are started together and left idle
// together: RSS is read RSS_AFTER_MS after each one's services all run (VmRSS: what it
// holds then), and the CPU time is read over one window for all of them at once, from
// SETTLE_MS after the last one was up (past the one-off full collection V8 makes some 8
// to 25 s after start, see bench/control.ts).
import { cpuOver, sleep, type CpuFigures } from './control-measure.js';
import { startPid1, servicesUp, type Pid1, type Running } from './cost-pid1.js';
import { memoryMib } from './proc-status.js';

export const RSS_AFTER_MS = 3000;
export const SETTLE_MS = 30_000;

export interface IdleCase {
  /** For the report: e.g. "corral, 20 services". */
  key: string;
  pid1: Pid1;
  services: number;
  /** true: measure its CPU; false: only its RSS. */
  cpu: boolean;
}

export interface IdleFigures {
  rssMib: number;
  /** VmHWM at the same moment: the peak since exec, start-up included. */
  peakMib: number;
  cpu?: CpuFigures;
}

const SERVICE_ARGV = ['sleep', '100000'];

async function upAndRss(idle: IdleCase, running: Running): Promise<{ rssMib: number; peakMib: number }> {
  if (idle.services > 0) await servicesUp(running, idle.key, 'sleep', idle.services);
  await sleep(RSS_AFTER_MS);
  const rssMib = memoryMib(running.pid1, 'VmRSS');
  const peakMib = memoryMib(running.pid1, 'VmHWM');
  if (rssMib === undefined || peakMib === undefined) throw new Error(`${idle.key}: its PID 1 is gone`);
  return { rssMib, peakMib };
}

export async function measureIdle(cases: IdleCase[], windowMs: number): Promise<Map<string, IdleFigures>> {
  const started: { idle: IdleCase; running: Running }[] = [];
  try {
    for (const idle of cases) {
      const services = Array.from({ length: idle.services }, (_, i) => ({ name: `s${i}`, argv: SERVICE_ARGV }));
      started.push({ idle, running: await startPid1(idle.pid1, services) });
    }
    const rss = await Promise.all(started.map(({ idle, running }) => upAndRss(idle, running)));
    await sleep(SETTLE_MS - RSS_AFTER_MS);
    const measured = started.filter(({ idle }) => idle.cpu);
    const cpus = await Promise.all(measured.map(({ running }) => cpuOver(running.pid1, windowMs)));
    const figures = new Map<string, IdleFigures>();
    started.forEach(({ idle }, i) => figures.set(idle.key, rss[i]!));
    measured.forEach(({ idle }, i) => (figures.get(idle.key)!.cpu = cpus[i]));
    return figures;
  } finally {
    await Promise.all(started.map(({ running }) => running.stop()));
  }
}
