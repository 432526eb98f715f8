// The built load body, dist/config/load-reply.cjs: load-reply.ts with zod, yaml and the
// checks, bundled as CommonJS (scripts/bundle.mjs), compiled from the V8 code cache the
// build wrote beside it. Two threads run it: corral's own for the first load
// (load-here.ts) and the worker for each reload (cached-load-worker.ts).
//
// Why a cache: compiling that megabyte of JavaScript was a third of the load's time, on
// the way to the first service (issue 20). Node 20 has no compile cache for modules (22
// has), but vm.Script takes V8's cached data for a script, hence CommonJS. A cache that
// does not fit this node (another version, other V8 flags) is rejected by V8 and the body
// is compiled as without one: slower, never wrong. codeCache says which it was.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { CodeCacheUse, LoadReply, LoadRequest } from './load-in-worker.js';

/** dist/config/load-reply.cjs, from any file of dist/ two folders below the package root. */
export const LOAD_BODY = fileURLToPath(new URL('../config/load-reply.cjs', import.meta.url));

export interface LoadBody {
  loadReply: (request: LoadRequest) => LoadReply;
  codeCache: CodeCacheUse;
  /** For the build, which writes the cache from it once the body has run. */
  script: Script;
}

// The body needs only Node's own modules (everything else is bundled), and
// process.getBuiltinModule gives them without loading node:module.
function builtinRequire(id: string): unknown {
  const builtin = process.getBuiltinModule(id) as unknown;
  if (builtin === undefined) throw new Error(`${LOAD_BODY} asked for ${id}, which is not one of Node's own modules: rebuild it with npm run build`);
  return builtin;
}

export const codeCacheFile = (body: string): string => `${body}.cache`;

// compiled() is called once the body is compiled, before it runs: V8 takes a code cache
// only while its flags are those the cache was made with (their hash is part of it), so
// a flag changed for the load (optimizer-gate.ts) is changed from there.
export function compileLoadBody(body = LOAD_BODY, compiled?: () => void): LoadBody {
  const source = readFileSync(body, 'utf8');
  const cached = readCache(codeCacheFile(body));
  // CommonJS's own wrapper, so that the bundle sees require, module and __filename.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: body, cachedData: cached });
  compiled?.();
  const loaded = { exports: {} as { loadReply?: LoadBody['loadReply'] } };
  (script.runInThisContext() as (...args: unknown[]) => void)(loaded.exports, builtinRequire, loaded, body, dirname(body));
  const { loadReply } = loaded.exports;
  if (typeof loadReply !== 'function') throw new Error(`${body} has no loadReply function: rebuild it with npm run build`);
  const codeCache: CodeCacheUse = cached === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
  return { loadReply, codeCache, script };
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    // No cache (a build that could not write one): compile as without it.
    return undefined;
  }
}
