// Starts the services: every run goes through execa here, with the options a PID 1 needs.
// Besides this module only run-check.ts (for check commands) may start processes, and
// eslint enforces that. corral owns termination and output, so execa must neither kill
// children when corral gets a signal (cleanup), nor buffer output, nor escalate kills on
// its own.
import { execa } from 'execa';
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
export function spawnProcess(request: SpawnRequest): SpawnedProcess {
  const [file, ...args] = request.argv;
  const subprocess = execa(file, args, {
    env: request.env,
    extendEnv: false,
    cwd: request.cwd,
    stdio: ['ignore', fdOption(request.stdoutFd), fdOption(request.stderrFd), ...(request.statusFd === undefined ? [] : [fdOption(request.statusFd)])],
    detached: true,
    cleanup: false,
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
  });
  const outcome = subprocess.then((result): ExitOutcome => {
    if (result.exitCode !== undefined) return { kind: 'exited', code: result.exitCode };
    const signal = result.signal === undefined ? undefined : normalizeSignal(result.signal);
    if (signal !== undefined) return { kind: 'signalled', signal };
    const cause = result.cause as NodeJS.ErrnoException | undefined;
    return {
      kind: 'spawn-failed',
      errno: cause?.code ?? 'UNKNOWN',
      message: describeSpawnError(file, cause),
    };
  });
  return { pid: subprocess.pid, outcome };
}

// execa's runtime passes any file descriptor number through to the child, but its types
// list only 3 to 9.
function fdOption(fd: number): 3 {
  return fd as 3;
}

function describeSpawnError(file: string, cause: NodeJS.ErrnoException | undefined): string {
  switch (cause?.code) {
    case 'ENOENT':
      return `${file}: command not found (ENOENT); check the command's spelling and PATH`;
    case 'EACCES':
      return `${file}: permission denied (EACCES); is it executable?`;
    case 'EAGAIN':
      return `${file}: no more processes allowed (EAGAIN); the container's pids limit may be reached`;
    default:
      return `${file}: ${cause?.message ?? 'unknown error'}`;
  }
}
