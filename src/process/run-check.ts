// Runs a short check command (a readiness or health `exec:` probe) and says in one line how
// it went. Unlike a service, a check's output is buffered (capped) so its last line can
// explain a failure, and corral enforces its deadline itself: the whole process group is
// SIGKILLed, so nothing the check started outlives it.
import { statSync } from 'node:fs';
import { execa, type ResultPromise } from 'execa';
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

/** Output kept per stream; a chatty check is still judged by its exit code. */
export const CHECK_OUTPUT_LIMIT_BYTES = 65_536;
/** Longest piece of output quoted in a detail. */
const DETAIL_OUTPUT_CHARS = 200;
/**
 * After the group is killed, how long to wait for the pipes to close before closing them
 * ourselves: a process that left the group (setsid) may still hold them open.
 */
const PIPE_CLOSE_GRACE_MS = 500;

// Runs argv once with a deadline; never throws, never leaves its process group behind.
export async function runCheck(argv: readonly [string, ...string[]], options: RunCheckOptions): Promise<CheckResult> {
  const [file, ...args] = argv;
  if (options.signal?.aborted) return { ok: false, detail: 'aborted' };
  const subprocess = execa(file, args, {
    env: options.env,
    extendEnv: false,
    cwd: options.cwd,
    stdin: 'ignore',
    detached: true,
    cleanup: false,
    reject: false,
    lines: false,
    all: true,
    maxBuffer: CHECK_OUTPUT_LIMIT_BYTES,
    forceKillAfterDelay: false,
  });
  const pid = subprocess.pid;
  if (pid !== undefined) options.onSpawn?.(pid);

  let stoppedBy: 'timeout' | 'abort' | undefined;
  const stop = (why: 'timeout' | 'abort'): void => {
    if (stoppedBy !== undefined || pid === undefined) return;
    stoppedBy = why;
    killGroup(pid);
    closePipesLater(subprocess);
  };
  const timer = setTimeout(() => stop('timeout'), Math.max(0, options.timeoutMs));
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await subprocess;
    if (stoppedBy === 'timeout') return { ok: false, detail: `timed out after ${formatDuration(options.timeoutMs)}` };
    if (stoppedBy === 'abort') return { ok: false, detail: 'aborted' };
    return describeResult(file, options.cwd, result);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // The leader has exited; anything it left running in its group goes too.
    if (pid !== undefined) killGroup(pid);
  }
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

// Once the group is dead its pipes close, unless a process that escaped the group holds
// them: then stop waiting for that process's output.
function closePipesLater(subprocess: ResultPromise): void {
  const timer = setTimeout(() => {
    subprocess.stdout?.destroy();
    subprocess.stderr?.destroy();
    subprocess.all?.destroy();
  }, PIPE_CLOSE_GRACE_MS);
  void subprocess.finally(() => clearTimeout(timer));
}
