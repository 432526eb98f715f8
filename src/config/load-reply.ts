// What the worker thread that reads the services directory answers (load-in-worker.ts):
// the services, or every problem of the files. Built, this module is the one compiled
// from V8's code cache (cached-load-worker.ts); from the sources, load-worker.ts runs it.
import { withCommandService } from './command-service.js';
import { ConfigError } from './config-error.js';
import type { LoadReply, LoadRequest } from './load-in-worker.js';
import { loadServices } from './load-services.js';

export function loadReply(request: LoadRequest): LoadReply {
  try {
    return { services: withCommandService(loadServices(request.dir, { env: request.env, self: request.self }), request.command) };
  } catch (error) {
    // As in one thread: whatever went wrong is a ConfigError, a bug included.
    return { problems: ConfigError.from(error, request.dir).problems };
  }
}
