// The worker thread that reads and validates the services directory for the running
// corral (load-in-worker.ts starts it). zod and yaml, and everything loaded with them,
// live in this thread's isolate, which is freed when the thread ends: the long-running
// corral never holds them (issue 20). The answer is plain data, cloned across the thread
// boundary: the services, or the problems of the ConfigError, which the other side
// rebuilds so that its message is the same to the byte.
import { parentPort, workerData } from 'node:worker_threads';
import { withCommandService } from './command-service.js';
import { ConfigError } from './config-error.js';
import type { LoadReply, LoadRequest } from './load-in-worker.js';
import { loadServices } from './load-services.js';

const request = workerData as LoadRequest;
let reply: LoadReply;
try {
  reply = { services: withCommandService(loadServices(request.dir, { env: request.env, self: request.self }), request.command) };
} catch (error) {
  // As in one thread: whatever went wrong is a ConfigError, a bug included.
  reply = { problems: ConfigError.from(error, request.dir).problems };
}
try {
  parentPort!.postMessage(reply);
} catch (error) {
  // Something in the answer that is not plain data (a bug): a DataCloneError, which would
  // reach the other side as an empty object, said here in words.
  throw new Error(`its answer could not be sent (${(error as Error).name}: ${(error as Error).message})`);
}
