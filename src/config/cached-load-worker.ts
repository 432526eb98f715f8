// The load worker as built (scripts/bundle.mjs makes it dist/config/load-worker.cjs):
// compiles the load body from its code cache (load-body.ts), then answers as
// load-worker.ts does.
import { renameSync, writeFileSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { codeCacheFile, compileLoadBody, LOAD_BODY } from './load-body.js';
import type { LoadRequest } from './load-in-worker.js';
import { sendLoadReply } from './send-load-reply.js';

/** Only the build sets it (scripts/write-code-cache.mjs): write the cache after answering. */
export interface CachedLoadRequest extends LoadRequest {
  writeCodeCache?: boolean;
}

const request = workerData as CachedLoadRequest;
const { loadReply, codeCache, script } = compileLoadBody();
sendLoadReply({ ...loadReply(request), codeCache });
if (request.writeCodeCache) {
  // After the run, so that the functions it compiled lazily are in the cache too.
  const cacheFile = codeCacheFile(LOAD_BODY);
  writeFileSync(`${cacheFile}.tmp`, script.createCachedData());
  renameSync(`${cacheFile}.tmp`, cacheFile);
}
