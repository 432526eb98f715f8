// The load worker's answer, sent to the thread that started it (load-in-worker.ts).
import { parentPort } from 'node:worker_threads';
import type { LoadReply } from './load-in-worker.js';

export function sendLoadReply(reply: LoadReply): void {
  try {
    parentPort!.postMessage(reply);
  } catch (error) {
    // Something in the answer that is not plain data (a bug): a DataCloneError, which would
    // reach the other side as an empty object, said here in words.
    throw new Error(`its answer could not be sent (${(error as Error).name}: ${(error as Error).message})`);
  }
}
