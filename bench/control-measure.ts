// The measuring tools of the control-plane benchmark (bench/control.ts): one client
// command's wall time and peak RSS, a burst of concurrent calls, a process's CPU time and
// peak RSS as the kernel counts them in /proc.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { memoryMib } from './proc-status.js';

const GNU_TIME = '/usr/bin/time';
const CLIENT_TIMEOUT_MS = 30_000;

export interface ClientRun {
  ms: number;
  peakMib: number;
}

/** How a client's peak RSS is read, for the report. */
export const peakRssMethod = existsSync(GNU_TIME)
  ? "GNU time's `%M`: the kernel's ru_maxrss of the client process"
  : "the client's VmHWM in /proc, polled every 5 ms (may miss growth in its last 5 ms)";

// Runs one client command to its end. Wall time is from spawn() to its exit as this process
// sees it (GNU time's own exec is in it, the same for every client). A client that fails
// is not a measurement: it throws, with what the client said.
export async function runClient(argv: string[], env: NodeJS.ProcessEnv, scratch: string): Promise<ClientRun> {
  const timeFile = join(scratch, 'time.txt');
  const [command, args] = existsSync(GNU_TIME) ? [GNU_TIME, ['-f', '%M', '-o', timeFile, ...argv]] : [argv[0]!, argv.slice(1)];
  const started = performance.now();
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], env, timeout: CLIENT_TIMEOUT_MS });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  let polledMib = 0;
  const poller = existsSync(GNU_TIME) ? undefined : setInterval(() => (polledMib = Math.max(polledMib, memoryMib(child.pid!, 'VmHWM') ?? 0)), 5);
  // 'close' (its stderr read to the end) may come in the same tick as 'exit'.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const ms = performance.now() - started;
  clearInterval(poller);
  await closed;
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${code}: ${stderr.trim().slice(-500)}`);
  if (poller !== undefined) return { ms, peakMib: polledMib };
  // GNU time writes "Command exited with non-zero status N" first when there is one.
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  return { ms, peakMib: kib / 1024 };
}

export interface BurstResult {
  /** From the first call to the last answer (or failure). */
  ms: number;
  answered: number;
  /** Why the others failed: message -> count. */
  failures: Map<string, number>;
}

// Starts `count` calls at once, each on its own connection; a call resolves when it got the
// answer it expects and rejects with why not.
export async function burst(count: number, call: () => Promise<void>): Promise<BurstResult> {
  const failures = new Map<string, number>();
  const started = performance.now();
  let last = started;
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, () =>
      call().finally(() => {
        last = performance.now();
      }),
    ),
  );
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') continue;
    const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
    failures.set(reason, (failures.get(reason) ?? 0) + 1);
  }
  return { ms: last - started, answered: outcomes.filter((outcome) => outcome.status === 'fulfilled').length, failures };
}

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
/** The resolution of utime and stime. */
export const tickMs = 1000 / ticksPerSecond;

// utime + stime of a process in ms (a resolution of one clock tick).
export function cpuMs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // Fields from the state (field 3) on: utime and stime are fields 14 and 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

// The same from the scheduler, in ns rather than ticks: the time on a CPU of each of its
// threads (/proc/PID/task/TID/schedstat), summed. A thread that ended is no longer counted.
export function schedCpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

// Resets the kernel's peak RSS (VmHWM) of a process to its current RSS, so that VmHWM read
// later is the peak since now. false when this kernel or user may not.
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// The q-quantile by nearest rank (q = 0.5: the median, the lower middle for an even count).
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

export interface CpuFigures {
  /** From utime + stime (clock ticks). */
  ticksMsPerSecond: number;
  /** From the threads' schedstat (ns). */
  schedMsPerSecond: number;
}

// CPU time a process spends over `ms`, in ms per second, by both of the kernel's counts.
export async function cpuOver(pid: number, ms: number): Promise<CpuFigures> {
  const [ticks, sched, at] = [cpuMs(pid), schedCpuMs(pid), performance.now()];
  await sleep(ms);
  const seconds = (performance.now() - at) / 1000;
  return { ticksMsPerSecond: (cpuMs(pid) - ticks) / seconds, schedMsPerSecond: (schedCpuMs(pid) - sched) / seconds };
}

export interface BurstFigures extends BurstResult {
  rssBefore: number | undefined;
  rssPeak: number | undefined;
  rssAfter: number | undefined;
  /** true: the peak is the kernel's VmHWM since the burst began; false: VmRSS sampled every 10 ms. */
  exactPeak: boolean;
}

// A burst against a supervisor, with its RSS before, at the peak, and `afterMs` later.
export async function burstAgainst(pid: number, count: number, call: () => Promise<void>, afterMs: number): Promise<BurstFigures> {
  const rssBefore = memoryMib(pid, 'VmRSS');
  const exactPeak = resetPeakRss(pid);
  let sampled = rssBefore ?? 0;
  const sampler = setInterval(() => (sampled = Math.max(sampled, memoryMib(pid, 'VmRSS') ?? 0)), 10);
  const result = await burst(count, call);
  clearInterval(sampler);
  const rssPeak = exactPeak ? memoryMib(pid, 'VmHWM') : sampled;
  await sleep(afterMs);
  return { ...result, rssBefore, rssPeak, rssAfter: memoryMib(pid, 'VmRSS'), exactPeak };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ScrapeCounts {
  ok: number;
  failed: number;
}

// A Prometheus stand-in: GET `url` at once and every `everyMs` (keep-alive, as Prometheus
// does) until stopped; counts the answers that are corral's metrics.
export function startScraper(url: string, everyMs: number, counts: ScrapeCounts): () => void {
  const stop = new AbortController();
  const once = (): void =>
    void fetch(url, { signal: stop.signal })
      .then(async (response) => {
        const text = await response.text();
        if (response.ok && text.includes('corral_service_state')) counts.ok++;
        else counts.failed++;
      })
      .catch(() => stop.signal.aborted || counts.failed++);
  once();
  const timer = setInterval(once, everyMs);
  return () => {
    clearInterval(timer);
    stop.abort();
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
