// Runs the built `corral` client against a corral started by startCorral, the way an
// operator would: a separate process, talking to the control socket in its run directory.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { corralMain, corralNodeFlags, pollFor, type CorralProcess } from './corral-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Prepended to the command, e.g. ['setpriv', '--reuid=65534', ...] to run it as another user. */
  wrapper?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
}

export function runDirOf(corral: CorralProcess): string {
  return join(corral.dir, 'run');
}

export function corralCli(corral: CorralProcess | string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const runDir = typeof corral === 'string' ? corral : runDirOf(corral);
  const argv = [...(options.wrapper ?? []), process.execPath, ...corralNodeFlags, corralMain, ...args];
  const timeoutMs = options.timeoutMs ?? 20_000;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORRAL_RUN_DIR: runDir, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`corral ${args.join(' ')} did not finish within ${timeoutMs}ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// `corral status --json`, parsed.
export async function statusOf(corral: CorralProcess): Promise<StatusJson> {
  const result = await corralCli(corral, ['status', '--json']);
  if (result.code !== 0) throw new Error(`corral status --json exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as StatusJson;
}

// The status once `check` holds, polled for up to 10 s; until the control socket is up
// there is no status, and that is no failure.
export function waitForStatus(corral: CorralProcess, what: string, check: (status: StatusJson) => boolean): Promise<StatusJson> {
  let last: StatusJson | undefined;
  return pollFor(
    what,
    10_000,
    async () => {
      last = (await statusOf(corral).catch(() => undefined)) ?? last;
      return last !== undefined && check(last) ? last : undefined;
    },
    { intervalMs: 100, last: () => JSON.stringify(last?.services) },
  );
}

export interface ServiceJson {
  name: string;
  state: string;
  ready: boolean;
  pid: number | null;
  restarts: number;
  stoppedByOperator: boolean;
  lastExit: { description: string; code: number | null; signal: string | null } | null;
  usage: { cpuPercent: number | null; cpuSeconds: number; rssBytes: number; processes: number } | null;
  linesRelayed: { stdout: number; stderr: number };
  linesDropped: { stdout: number; stderr: number };
  schedule: {
    description: string;
    timezone: string;
    nextRunAt: number | null;
    lastRun: { result: string; startedAt: number; durationMs: number; description: string } | null;
    runs: Record<string, number>;
  } | null;
  replica: { of: string; index: number; count: number } | null;
}

export interface StatusJson {
  corral: { pid: number; version: string; orphansReaped: number; phase: string };
  container: { version: number | null; cpuSeconds: number | null; cpuPercent: number | null; cpusAvailable: number };
  services: ServiceJson[];
}

export function service(status: StatusJson, name: string): ServiceJson {
  const found = status.services.find((entry) => entry.name === name);
  if (!found) throw new Error(`no service ${name} in status: ${status.services.map((entry) => entry.name).join(', ')}`);
  return found;
}
