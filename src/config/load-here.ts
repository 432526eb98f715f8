// The first load, at start, in corral's own thread (issue 20). A worker thread, as each
// reload uses (load-in-worker.ts), took some 90 ms just to start, on the way to the
// first service; at start nothing runs yet that the load could hold up.
//
// What stays the same as in the worker: the body is the same code from the same cache
// (load-body.ts); the answer is a structured clone, plain data that holds nothing of the
// body; and the load has a bound: past timeoutMs, V8 ends it (vm's timeout), a
// LoaderError. A blocking read cannot hold it: every file is opened without blocking and
// read only if it is a regular file (bounded-read.ts).
//
// What the worker's end did for free is done here: nothing of the body may stay
// reachable, so that zod, yaml and the rest, some 7 MiB of V8's heap, are garbage for
// the settling trim (memory-trimmer.ts) to collect. The body leaves globals behind (zod's
// registry and configuration), which would hold all of it: they are deleted. And V8 keeps
// the last string a regular expression matched (RegExp.lastMatch), which may be a slice
// of a services file: a match on '' replaces it.
import { Script } from 'node:vm';
import { ConfigError } from './config-error.js';
import { compileLoadBody, LOAD_BODY } from './load-body.js';
import { LoaderError, type CodeCacheUse, type LoadReply, type LoadRequest } from './load-in-worker.js';
import type { ServiceConfig } from './service-config.js';

export interface LoadHereOptions {
  timeoutMs: number;
  /** dist/config/load-reply.cjs; a test gives a body that hangs or fails. */
  body?: string;
  /** Called once the body is compiled, before it runs (see compileLoadBody). */
  compiled?: () => void;
}

// vm's timeout bounds a script run with runInThisContext, and what it calls: this one
// calls the load, through a global that lives only for the call.
const CALL = '__corralLoadHere';
const callScript = new Script(`globalThis.${CALL}()`, { filename: 'corral:load-here' });

export interface LoadedHere {
  services: ServiceConfig[];
  /** Whether the body was compiled from the build's code cache (for the debug log). */
  codeCache: CodeCacheUse;
}

// The enabled services of request.dir, with the command's main service; throws a
// ConfigError listing every problem, or a LoaderError.
export function loadHere(request: LoadRequest, options: LoadHereOptions): LoadedHere {
  const { timeoutMs, body = LOAD_BODY, compiled } = options;
  const failed = (why: string): LoaderError => new LoaderError(`corral could not load ${request.dir}: ${why}; please report it as a bug`);
  let reply: LoadReply;
  const global = globalThis as unknown as Record<PropertyKey, unknown>;
  const globalsBefore = new Set(Reflect.ownKeys(globalThis));
  try {
    global[CALL] = (): LoadReply => {
      const { loadReply, codeCache } = compileLoadBody(body, compiled);
      return { ...loadReply(request), codeCache };
    };
    reply = structuredClone(callScript.runInThisContext({ timeout: timeoutMs }) as LoadReply);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw failed(`reading it did not end within ${timeoutMs / 1000}s`);
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw failed(`reading it failed: ${what}`);
  } finally {
    for (const key of Reflect.ownKeys(globalThis)) if (!globalsBefore.has(key)) delete global[key];
    /^/.exec('');
  }
  if ('services' in reply) return { services: reply.services, codeCache: reply.codeCache ?? 'absent' };
  throw new ConfigError(reply.problems);
}
