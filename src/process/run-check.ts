// Runs a short check command (a readiness or health `exec:` probe) and says in one line how
// it went. Unlike a service, a check's output is buffered (capped) so its last line can
// explain a failure, and corral enforces its deadline itself: the whole process group is
// SIGKILLed, so nothing the check started outlives it. node:child_process does the
// spawning (execa did, at a cost to corral's RSS and start-up: issue 20).
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { captureOutput } from './check-output.js';
import { formatDuration } from '../shared/format-duration.js';
import { signalGroup } from './process-group.js';

export interface RunCheckOptions {
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
  /** Aborting kills the check's process group and reports "aborted". */
  signal?: AbortSignal;
  /** Called with the check's pid (its process group id) as soon as it has started. */
  onSpawn?: (pid: number) => void;
}

export interface CheckResult {
  ok: boolean;
  /** One line for the log: "exit code 1: not yet", "timed out after 2s". */
  detail: string;
}

/**
 * Output kept, stdout and stderr together in the order it came; past it corral stops
 * reading, and a chatty check is still judged by its exit code.
 */
export const CHECK_OUTPUT_LIMIT_BYTES = 65_536;
/** Longest piece of output quoted in a detail. */
const DETAIL_OUTPUT_CHARS = 200;
/**
 * After the group is killed, or its leader has exited, how long to wait for the pipes to
 * close before closing them ourselves: a process that left the group (setsid) may still
 * hold them open.
 */
export const PIPE_CLOSE_GRACE_MS = 500;

// Runs argv once with a deadline; never throws, never leaves its process group behind.
export async function runCheck(argv: readonly [string, ...string[]], options: RunCheckOptions): Promise<CheckResult> {
  const [file, ...args] = argv;
  if (options.signal?.aborted) return { ok: false, detail: 'aborted' };
  let child: ChildProcessByStdio<null, Readable, Readable>;
  try {
    child = spawn(file, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (error) {
    // What spawn refuses at once: E2BIG, ENOTDIR, a NUL byte in a string.
    return { ok: false, detail: describeStartError(file, options.cwd, error) };
  }
  const pid = child.pid;
  if (pid !== undefined) options.onSpawn?.(pid);
  const output = captureOutput([child.stdout, child.stderr], CHECK_OUTPUT_LIMIT_BYTES);

  let stoppedBy: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort'): void => {
    if (stoppedBy !== undefined || pid === undefined) return;
    stoppedBy = why;
    killGroup(pid);
    output.closeAfter(PIPE_CLOSE_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), Math.max(0, options.timeoutMs));
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const ending = await waitForEnd(child);
    // The leader is done: anything it left running in its group goes too.
    clearTimeout(timer);
    if (pid !== undefined) killGroup(pid);
    // Its output decides the detail only when it ended on its own; a process that escaped
    // the group (setsid) may keep the pipes open, but only for the grace.
    if (stoppedBy === undefined && !('cause' in ending)) output.closeAfter(PIPE_CLOSE_GRACE_MS);
    else output.close();
    await output.closed;
    if (stoppedBy === 'timeout') return { ok: false, detail: `timed out after ${formatDuration(options.timeoutMs)}` };
    if (stoppedBy === 'abort') return { ok: false, detail: 'aborted' };
    return describeResult(file, options.cwd, { ...ending, isMaxBuffer: output.cut, all: output.text() });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

type Ending = { exitCode: number | undefined; signal: string | undefined } | { cause: unknown };

// The leader's exit, or the error that says it never started ('error' without a pid;
// then no 'exit' comes).
function waitForEnd(child: ChildProcess): Promise<Ending> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ exitCode: code ?? undefined, signal: signal ?? undefined }));
    child.on('error', (error) => {
      if (child.pid === undefined) resolve({ cause: error });
    });
  });
}

interface FinishedCheck {
  exitCode?: number;
  signal?: string;
  isMaxBuffer: boolean;
  all?: string;
  cause?: unknown;
}

function describeResult(file: string, cwd: string | undefined, result: FinishedCheck): CheckResult {
  const output = lastLine(result.all ?? '');
  const cut = result.isMaxBuffer ? ` (output cut at ${CHECK_OUTPUT_LIMIT_BYTES / 1024} KiB)` : '';
  if (result.exitCode !== undefined) {
    const detail = `exit code ${result.exitCode}${output === '' ? '' : `: ${output}`}${cut}`;
    return { ok: result.exitCode === 0, detail };
  }
  if (result.isMaxBuffer) {
    return { ok: false, detail: `stopped after printing more than ${CHECK_OUTPUT_LIMIT_BYTES / 1024} KiB of output` };
  }
  if (result.signal !== undefined) {
    return { ok: false, detail: `killed by ${result.signal}${output === '' ? '' : `: ${output}`}` };
  }
  return { ok: false, detail: describeStartError(file, cwd, result.cause) };
}

function describeStartError(file: string, cwd: string | undefined, cause: unknown): string {
  const error = cause as NodeJS.ErrnoException | undefined;
  const code = error?.code;
  // spawn reports a missing working directory as the command's ENOENT.
  if (code === 'ENOENT' && cwd !== undefined && !isDirectory(cwd)) return `working directory ${cwd} does not exist (ENOENT)`;
  switch (code) {
    case 'ENOENT':
      return `${file}: command not found (ENOENT)`;
    case 'EACCES':
      return `${file}: permission denied (EACCES)`;
    case undefined:
      return `${file}: could not be run: ${error?.message ?? 'unknown error'}`;
    default:
      return `${file}: could not be run (${code})`;
  }
}

// The last non-blank line of the output, trimmed and cut to DETAIL_OUTPUT_CHARS.
function lastLine(output: string): string {
  const lines = output.split('\n');
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index]!.trim();
    if (line !== '') return line.length > DETAIL_OUTPUT_CHARS ? `${line.slice(0, DETAIL_OUTPUT_CHARS - 1)}…` : line;
  }
  return '';
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function killGroup(pgid: number): void {
  try {
    signalGroup(pgid, 'SIGKILL');
  } catch {
    // EPERM: the group now belongs to someone else's processes; nothing of ours is left.
  }
}
