// The processes the cost benchmark (bench/cost.ts) runs as PID 1 of a PID namespace
// (`unshare --pid --fork --mount-proc`): corral, its peers, and bare Node as the reference.
// corral, supervisord and pm2-runtime are configured as in the log benchmark
// (bench/log-supervisors.ts); s6-svscan gets a scan directory, tini runs the one service.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenOf, corralMain, corralNodeFlags, descendantsOf, pollFor } from '../test/helpers/corral-process.js';
import { logSupervisors, type LogService } from './log-supervisors.js';

export type Pid1Name = 'corral' | 'bare node' | 'supervisord' | 's6-svscan' | 'tini' | 'pm2-runtime';

export interface Pid1 {
  name: Pid1Name;
  /** undefined when it can run here, else why not and how to install it. */
  missing: () => string | undefined;
  /** Writes its configuration for `services` into dir; returns its argv and environment. */
  prepare: (dir: string, services: LogService[]) => { argv: string[]; env: Record<string, string> };
}

export interface Running {
  pid1: number;
  /** performance.now() just before unshare was spawned. */
  spawnedAt: number;
  dir: string;
  stop: () => Promise<void>;
}

/** What bare Node runs: nothing but a timer, started with corral's V8 flags. */
export const BARE_NODE_ARGV = [process.execPath, ...corralNodeFlags, '-e', 'setInterval(() => {}, 1e9)'];

function installed(command: string, packageName: string): string | undefined {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0
    ? undefined
    : `${command} is not installed (apt-get install ${packageName}, or npm run bench:setup)`;
}

export function pid1s(): Pid1[] {
  const logged = logSupervisors(corralMain);
  const fromLogs = (name: 'corral' | 'supervisord' | 'pm2-runtime'): Pid1 => {
    const base = logged.find((candidate) => candidate.name === name)!;
    return { name, missing: base.missing, prepare: base.prepare };
  };
  return [
    fromLogs('corral'),
    { name: 'bare node', missing: () => undefined, prepare: () => ({ argv: BARE_NODE_ARGV, env: {} }) },
    fromLogs('supervisord'),
    {
      name: 's6-svscan',
      missing: () => installed('s6-svscan', 's6'),
      prepare: (dir, services) => {
        for (const service of services) {
          mkdirSync(join(dir, 'scan', service.name), { recursive: true });
          const run = join(dir, 'scan', service.name, 'run');
          writeFileSync(run, `#!/bin/sh\nexec ${service.argv.join(' ')}\n`);
          chmodSync(run, 0o755);
        }
        mkdirSync(join(dir, 'scan'), { recursive: true });
        return { argv: ['s6-svscan', join(dir, 'scan')], env: {} };
      },
    },
    {
      // One service only: tini runs a command, not a set of services.
      name: 'tini',
      missing: () => installed('tini', 'tini'),
      prepare: (_dir, services) => {
        if (services.length !== 1) throw new Error(`tini runs one service, not ${services.length}`);
        return { argv: ['tini', '--', ...services[0]!.argv], env: {} };
      },
    },
    fromLogs('pm2-runtime'),
  ];
}

// This process's environment less corral's settings, which would change what corral does.
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CORRAL_')));
}

// Resolves once child exited; after timeoutMs, SIGKILLs it first.
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Starts `pid1` with `services` as PID 1; resolves once its PID 1 exists (not once its
// services run: each measurement waits for what it needs). `dir` may already hold the
// services' own files; it is removed by stop().
export async function startPid1(
  pid1: Pid1,
  services: LogService[],
  env: Record<string, string> = {},
  dir = mkdtempSync(join(tmpdir(), 'bench-cost-')),
): Promise<Running> {
  let unshare: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    // --kill-child: unshare's end SIGKILLs PID 1, and the kernel then ends the namespace.
    if (unshare !== undefined) {
      const done = exited(unshare, 5000);
      unshare.kill('SIGKILL');
      await done;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const prepared = pid1.prepare(dir, services);
    const spawnedAt = performance.now();
    unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...prepared.argv], {
      stdio: 'ignore',
      env: { ...baseEnv(), ...prepared.env, ...env },
    });
    const parent = unshare.pid!;
    const pid = await pollFor(`${pid1.name} to start`, 10_000, () => childrenOf(parent)[0]?.pid, { intervalMs: 2 });
    return { pid1: pid, spawnedAt, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** How many processes below `root` run `comm` (the kernel's short command name). */
export function countBelow(root: number, comm: string): number {
  return descendantsOf(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  }).length;
}

/** Waits until `count` processes named `comm` run below the PID 1. Each look walks /proc,
 * and the idle phase has a dozen PID 1s and some 1,300 services starting at once: looking
 * every 250 ms keeps the looking from slowing down what it waits for. */
export function servicesUp(running: Running, name: string, comm: string, count: number, timeoutMs = 180_000): Promise<true> {
  return pollFor(`${count} ${comm} under ${name}`, timeoutMs, () => (countBelow(running.pid1, comm) >= count ? true : undefined), { intervalMs: 250 });
}

/** Runs body with a started PID 1 and stops it afterwards, whatever happens. */
export async function using<T>(pid1: Pid1, services: LogService[], body: (running: Running) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const running = await startPid1(pid1, services, env);
  try {
    return await body(running);
  } finally {
    await running.stop();
  }
}
