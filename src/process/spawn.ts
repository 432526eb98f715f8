// Starts the services, with node:child_process and the options a PID 1 needs. Besides this
// module only run-check.ts (for check commands) may start processes, and eslint enforces
// that. corral owns termination and output: the child's stdio are corral's own pipes, it
// gets nothing of corral's environment, and nothing here ever signals it (corral signals
// its process group). execa did this before, with options that only turned its features
// off; loading it cost the running corral 2.7 MiB of RSS (11 MiB alone) and a third of
// its module loading time (issue 20).
import { spawn, type ChildProcess } from 'node:child_process';
import type { ExitOutcome } from './exit-outcome.js';
import { normalizeSignal } from './signal-names.js';

export interface SpawnRequest {
  argv: readonly [string, ...string[]];
  env: Record<string, string>;
  cwd?: string;
  /** Write ends of the service's stdout and stderr pipes. */
  stdoutFd: number;
  stderrFd: number;
  /** Becomes the child's fd 3: the exec shim's status pipe. */
  statusFd?: number;
}

export interface SpawnedProcess {
  /** undefined when the process could not be started at all. */
  pid: number | undefined;
  outcome: Promise<ExitOutcome>;
}

// Starts argv in a new session (so its own process group) and reports how it ended.
// Never throws: what spawn refuses at once (a NUL byte in a string, E2BIG, ENOTDIR) is an
// outcome like what it reports later (ENOENT, EACCES, EAGAIN).
export function spawnProcess(request: SpawnRequest): SpawnedProcess {
  const [file, ...args] = request.argv;
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      env: request.env,
      cwd: request.cwd,
      stdio: ['ignore', request.stdoutFd, request.stderrFd, ...(request.statusFd === undefined ? [] : [request.statusFd])],
      detached: true,
    });
  } catch (error) {
    return { pid: undefined, outcome: Promise.resolve(spawnFailed(file, error as NodeJS.ErrnoException)) };
  }
  const outcome = new Promise<ExitOutcome>((resolve) => {
    child.once('exit', (code, signalName) => {
      if (code !== null) return resolve({ kind: 'exited', code });
      const signal = signalName === null ? undefined : normalizeSignal(signalName);
      resolve(signal === undefined ? spawnFailed(file, undefined) : { kind: 'signalled', signal });
    });
    // 'error' means the start failed (then no 'exit' follows) only while there is no pid;
    // with one it is a failed kill() or send(), neither of which corral calls.
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve(spawnFailed(file, error));
    });
  });
  return { pid: child.pid, outcome };
}

function spawnFailed(file: string, cause: NodeJS.ErrnoException | undefined): ExitOutcome {
  return { kind: 'spawn-failed', errno: cause?.code ?? 'UNKNOWN', message: describeSpawnError(file, cause) };
}

function describeSpawnError(file: string, cause: NodeJS.ErrnoException | undefined): string {
  switch (cause?.code) {
    case 'ENOENT':
      return `${file}: command not found (ENOENT); check the command's spelling and PATH`;
    case 'EACCES':
      return `${file}: permission denied (EACCES); is it executable?`;
    case 'EAGAIN':
      return `${file}: no more processes allowed (EAGAIN); the container's pids limit may be reached`;
    case 'ERR_INVALID_ARG_VALUE':
      // Node's words end with "Received '<the value>'": an environment value may be a secret.
      return `${file}: ${cause.message.replace(/\. Received [\s\S]*$/, '')}`;
    default:
      return `${file}: ${cause?.message ?? 'unknown error'}`;
  }
}
