// The worker thread that reads and validates the services directory for the running
// corral (load-in-worker.ts starts it). zod and yaml, and everything loaded with them,
// live in this thread's isolate, which is freed when the thread ends: the long-running
// corral never holds them (issue 20). The answer is plain data, cloned across the thread
// boundary: the services, or the problems of the ConfigError, which the other side
// rebuilds so that its message is the same to the byte.
//
// This is the worker run from the sources (tests through tsx). Built, corral runs
// cached-load-worker.ts instead, which compiles the same loadReply from a code cache.
import { workerData } from 'node:worker_threads';
import type { LoadRequest } from './load-in-worker.js';
import { loadReply } from './load-reply.js';
import { sendLoadReply } from './send-load-reply.js';

sendLoadReply(loadReply(workerData as LoadRequest));
