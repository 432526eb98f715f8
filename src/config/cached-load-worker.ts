// The load worker as built (scripts/bundle.mjs makes it dist/config/load-worker.cjs): it
// compiles dist/config/load-reply.cjs, the bundle of load-reply.ts with zod and yaml, from
// the V8 code cache the build wrote beside it, then answers as load-worker.ts does.
//
// Why: reading the services directory is on the way to the first service running, and
// compiling that megabyte of JavaScript in a fresh isolate was a third of the worker's
// time (issue 20). Node 20 has no compile cache for modules (22 has), but vm.Script takes
// V8's cached data for a script, so the body is built as CommonJS. A cache that does not
// fit this node (another version, other V8 flags) is rejected by V8 and the body is
// compiled as without one: slower, never wrong. The answer says which it was.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { workerData } from 'node:worker_threads';
import type { CodeCacheUse, LoadReply, LoadRequest } from './load-in-worker.js';
import { sendLoadReply } from './send-load-reply.js';

/** Only the build sets it (scripts/write-code-cache.mjs): write the cache after answering. */
export interface CachedLoadRequest extends LoadRequest {
  writeCodeCache?: boolean;
}

interface LoadReplyModule {
  loadReply(request: LoadRequest): LoadReply;
}

const body = fileURLToPath(new URL('../config/load-reply.cjs', import.meta.url));
const cacheFile = `${body}.cache`;

const request = workerData as CachedLoadRequest;
const source = readFileSync(body, 'utf8');
const cached = readCache();
// CommonJS's own wrapper, so that the bundle sees require, module and __filename.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: body, cachedData: cached });
const loaded = { exports: {} as LoadReplyModule };
(script.runInThisContext() as (...args: unknown[]) => void)(loaded.exports, createRequire(body), loaded, body, dirname(body));
const codeCache: CodeCacheUse = cached === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'used';
sendLoadReply({ ...loaded.exports.loadReply(request), codeCache });
if (request.writeCodeCache) {
  // After the run, so that the functions it compiled lazily are in the cache too.
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
}

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    // No cache (a build that could not write one): compile as without it.
    return undefined;
  }
}
