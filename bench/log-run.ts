// One run of the log-relay benchmark: a supervisor as PID 1 (unshare) whose stdout is a
// FIFO read by the checker process (bench/log-checker.ts). While it runs, the supervisor's
// RSS is sampled; once the checker has its result (every line seen, or a silence), the
// supervisor's peak RSS (VmHWM) is read, and only then is it killed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenOf, pollFor } from '../test/helpers/corral-process.js';
import type { CheckerConfig, CheckerEvent, CheckResult } from './log-checker-protocol.js';
import { corralWidth, type LogService, type LogSupervisor } from './log-supervisors.js';
import { memoryMib } from './proc-status.js';
import { Wakeup } from './wakeup.js';

const CHECKER = fileURLToPath(new URL('./log-checker.ts', import.meta.url));
const SAMPLE_MS = 100;

export interface Scenario {
  mode: 'lines' | 'long';
  services: LogService[];
  /** lines: lines per service; long: bytes of the one line. */
  count: number;
  maxPiece?: number;
  pause?: { atLine: number; ms: number };
  deadlineMs: number;
}

export interface RssSample {
  /** ms since the supervisor started */
  at: number;
  mib: number;
}

export interface RunFigures {
  check: CheckResult;
  /** VmHWM of the supervisor's process after the writers finished; undefined without a relay. */
  peakMib: number | undefined;
  samples: RssSample[];
  /** When the checker paused and resumed reading, as `at` in samples. */
  paused?: { from: number; to: number };
}

// The checker's events, one JSON object a line, waited for one at a time with a deadline.
class CheckerEvents {
  private readonly queue: CheckerEvent[] = [];
  private readonly wakeup = new Wakeup();
  private exited = false;

  constructor(child: ChildProcess) {
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop()!;
      for (const line of lines) this.queue.push(JSON.parse(line) as CheckerEvent);
      this.wakeup.wake();
    });
    // 'close', not 'exit': only then has everything it wrote been read.
    child.once('close', () => {
      this.exited = true;
      this.wakeup.wake();
    });
  }

  async next(what: string, deadline: number): Promise<CheckerEvent> {
    for (;;) {
      const event = this.queue.shift();
      if (event !== undefined) return event;
      if (this.exited) throw new Error(`the checker exited while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await this.wakeup.wait(left);
    }
  }
}

async function stop(pid1: number, unshare: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid1, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  await stopped(unshare, 3000, false);
  // Only while unshare still runs is pid1 surely still the supervisor's pid.
  if (unshare.exitCode === null && unshare.signalCode === null) signal('SIGKILL');
}

// Resolves once child exited; after timeoutMs, SIGKILLs it first (unless kill is false).
function stopped(child: ChildProcess, timeoutMs: number, kill = true): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (kill) child.kill('SIGKILL');
      resolve();
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function runOnce(supervisor: LogSupervisor, scenario: Scenario): Promise<RunFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-logs-'));
  let checker: ChildProcess | undefined;
  let unshare: ChildProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let pid1: number | undefined;
  const deadline = Date.now() + scenario.deadlineMs + 30_000;
  try {
    const fifo = join(dir, 'stdout.fifo');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr.toString()}`);
    const config: CheckerConfig = {
      fifo,
      mode: scenario.mode,
      services: scenario.services.map((service) => service.name),
      count: scenario.count,
      prefix: supervisor.prefix,
      width: corralWidth(scenario.services),
      ownLine: supervisor.ownLine,
      maxPiece: supervisor.prefix === 'corral' ? scenario.maxPiece : undefined,
      pause: scenario.pause,
      silenceMs: 3000,
      deadlineMs: scenario.deadlineMs,
    };
    // The same loader (tsx) as this process, so the checker runs from its .ts source.
    checker = spawn(process.execPath, [...process.execArgv, CHECKER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const events = new CheckerEvents(checker);
    const ready = await events.next('the checker to open the FIFO', Date.now() + 20_000);
    if (ready.event !== 'ready') throw new Error(`unexpected checker event ${ready.event}`);

    // The checker holds the FIFO open, so this open does not block. Without O_NONBLOCK:
    // the supervisor must see an ordinary blocking pipe, as under Docker.
    const stdoutFd = openSync(fifo, 'w');
    const stderrFd = openSync(join(dir, 'stderr.txt'), 'w');
    const { argv, env } = supervisor.prepare(dir, scenario.services);
    try {
      unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], {
        stdio: ['ignore', stdoutFd, stderrFd],
        env: { ...inheritedEnv(), ...env },
      });
    } finally {
      closeSync(stdoutFd);
      closeSync(stderrFd);
    }
    const started = performance.now();
    const unsharePid = unshare.pid!;
    pid1 = await pollFor(`${supervisor.name} to start`, 10_000, () => childrenOf(unsharePid)[0]?.pid);
    const samples: RssSample[] = [];
    const measured = pid1;
    sampler = setInterval(() => {
      const mib = memoryMib(measured, 'VmRSS');
      if (mib !== undefined) samples.push({ at: performance.now() - started, mib });
    }, SAMPLE_MS);

    let pausedFrom: number | undefined;
    let paused: RunFigures['paused'];
    for (;;) {
      const event = await events.next(`${supervisor.name}'s output to end`, deadline);
      if (event.event === 'paused') pausedFrom = performance.now() - started;
      else if (event.event === 'resumed') paused = { from: pausedFrom ?? 0, to: performance.now() - started };
      else if (event.event === 'result') {
        const peakMib = supervisor.relays ? memoryMib(measured, 'VmHWM') : undefined;
        if (event.ended !== 'complete') console.log(`  ${supervisor.name}: output ended by ${event.ended}; stderr: ${tail(join(dir, 'stderr.txt'))}`);
        return { check: event, peakMib, samples, paused };
      }
    }
  } finally {
    clearInterval(sampler);
    // SIGTERM first (so a profiled corral can write its profile), then SIGKILL to PID 1,
    // which ends its whole PID namespace: the services go with it.
    if (pid1 !== undefined && unshare !== undefined) await stop(pid1, unshare);
    if (unshare !== undefined) await stopped(unshare, 5000);
    if (checker !== undefined) {
      checker.kill('SIGKILL');
      await stopped(checker, 5000);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// This process's environment less corral's settings (CORRAL_LOG_FORMAT and the like), which
// would change the output the checker expects.
function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CORRAL_')));
}

function tail(file: string): string {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return lines.slice(-5).join(' / ') || '(empty)';
}
