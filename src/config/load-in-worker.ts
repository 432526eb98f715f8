// Loads the services directory in a worker thread that ends once it has answered
// (load-worker.ts), for the running corral at every reload (the first load, at start,
// runs in corral's own thread: load-here.ts). zod and yaml cost about 20 MiB of memory
// once loaded, and corral as PID 1 would hold them for the life of the container for
// what takes a moment now and then (issue 20); a reload also must not hold up the
// services' output, which corral's thread relays.
//
// What comes back is plain data: the services (no class instance, no function; a
// ready.log pattern is a RegExp, which the structured clone carries), or the problems of
// the configuration, made into a ConfigError here. A worker that fails, or does not
// answer within `timeoutMs`, is a LoaderError: corral's own failure, never taken for
// a problem of the files.
import type { Credentials } from '../process/credentials.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import type { ServiceConfig } from './service-config.js';

export interface LoadRequest {
  dir: string;
  /** What follows `corral --`: becomes the main service (command-service.ts). */
  command?: [string, ...string[]];
  /** corral's environment, as loadServices takes it: ${VAR} values and what services inherit. */
  env: Record<string, string>;
  /** Who corral runs as, for user:. */
  self: Credentials;
}

/** Whether the built worker compiled its body from the code cache (cached-load-worker.ts). */
export type CodeCacheUse = 'used' | 'rejected' | 'absent';

export type LoadReply = ({ services: ServiceConfig[] } | { problems: readonly ConfigProblem[] }) & { codeCache?: CodeCacheUse };

export interface LoadInWorkerOptions {
  /** Give up on a worker that has not answered by then. */
  timeoutMs: number;
  /** Ends the worker and the wait: the reason is what the promise rejects with. */
  signal?: AbortSignal;
  /** The worker's module; load-worker's, but a test may give one that crashes or hangs. */
  workerUrl?: URL;
  /** Called once the worker thread has ended, its memory freed (corral then trims the C heap). */
  onExit?: () => void;
}

// How long a load may take before corral gives up on it. LIMITS bound the worst input
// (100,000 YAML tokens in all, 2 MiB read) to a second or two of work on a slow core;
// 30 s leaves room for a container throttled to a tenth of a CPU, and still ends a hang
// (a bug) before anyone would wait on a reload, whose client waits 10 minutes.
export const LOAD_TIMEOUT_MS = 30_000;

// The load itself failed or hung, in a worker or in corral's own thread (load-here.ts):
// corral's failure, never a problem of the files, which are a ConfigError.
export class LoaderError extends Error {
  override name = 'LoaderError';
  readonly code = 'LOADER';
}

// dist/config/load-worker.cjs, from the chunk of the bundle that holds this module in
// dist/chunks/ (scripts/bundle.mjs). A test that runs the .ts sources through tsx gives
// workerUrl (test/helpers/load-worker-tsx.mjs): a worker thread does not get tsx's hooks.
const LOAD_WORKER = new URL('../config/load-worker.cjs', import.meta.url);

// The enabled services of request.dir, with the command's main service; rejects with a
// ConfigError listing every problem, or a LoaderError.
export function loadInWorker(request: LoadRequest, options: LoadInWorkerOptions): Promise<ServiceConfig[]> {
  const { timeoutMs, signal, workerUrl = LOAD_WORKER, onExit } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    // Its stderr is kept, not shown: a crash's last words go into the error.
    // node:worker_threads (and the half-dozen modules of Node's it loads) only once a
    // reload asks for it, not on every start-up (issue 20).
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(workerUrl, { workerData: request, stdout: true, stderr: true });
    if (onExit) worker.once('exit', onExit);
    let stderr = '';
    worker.stderr.setEncoding('utf8');
    worker.stderr.on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));
    worker.stdout.resume();
    const failed = (why: string): LoaderError => {
      const said = stderr.trim();
      return new LoaderError(`corral could not load ${request.dir}: ${why}${said ? ` (it wrote: ${said})` : ''}; please report it as a bug`);
    };
    const timer = setTimeout(() => settle(failed(`the worker thread that reads it did not answer within ${timeoutMs / 1000}s`)), timeoutMs);
    const onAbort = (): void => settle(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    function settle(outcome: Error | ServiceConfig[]): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // Done with it either way: a worker that answered has nothing left to do, and one
      // that did not must not run on.
      void worker.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
    worker.once('message', (reply: LoadReply) => settle('services' in reply ? reply.services : new ConfigError(reply.problems)));
    worker.once('messageerror', (error) => settle(failed(`its answer could not be read (${error.message})`)));
    worker.once('error', (error: unknown) => {
      // What was thrown there comes as a copy; a copy of what is not an Error says little.
      const what = error instanceof Error ? `${error.name}: ${error.message}` : `something that is not an Error (${typeof error})`;
      settle(failed(`the worker thread that reads it failed: ${what}`));
    });
    // After a message, 'exit' comes too, and settle() ignores it.
    worker.once('exit', (code) => settle(failed(`the worker thread that reads it ended (exit code ${code}) without an answer`)));
  });
}
