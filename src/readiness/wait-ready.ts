// Polls a readiness check until it passes, the time allowed runs out, or the service's run
// ends. The clock and the sleep are injected so tests need no real waiting.
import type { ProbeResult } from './probe-result.js';

/** One attempt's own limit when the caller gives none; it is also cut to the time left. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 2000;

// One attempt: gets how long it may take and the signal that ends the wait.
export type ReadyCheck = (attemptTimeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;

export type ReadyOutcome = { kind: 'ready'; afterMs: number } | { kind: 'timeout'; lastDetail: string } | { kind: 'aborted' };

export interface WaitReadyOptions {
  /** From the start of one attempt to the start of the next. */
  intervalMs: number;
  /** Total time allowed, from the call. */
  timeoutMs: number;
  /** Limit of a single attempt (default DEFAULT_ATTEMPT_TIMEOUT_MS). */
  attemptTimeoutMs?: number;
  signal: AbortSignal;
  now?: () => number;
  /** Resolves after ms, or early when the signal aborts; never rejects. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

// Runs `check` at once, then every intervalMs, until it passes or timeoutMs is used up.
export async function waitUntilReady(check: ReadyCheck, options: WaitReadyOptions): Promise<ReadyOutcome> {
  const { intervalMs, timeoutMs, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const attemptLimitMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const startedAt = now();
  const deadline = startedAt + timeoutMs;
  let lastDetail = 'no check finished in time';
  for (;;) {
    if (signal.aborted) return { kind: 'aborted' };
    const attemptAt = now();
    const remainingMs = deadline - attemptAt;
    if (remainingMs <= 0) return { kind: 'timeout', lastDetail };
    const result = await untilAborted(attempt(check, Math.min(attemptLimitMs, remainingMs), signal), signal);
    if (result === undefined) return { kind: 'aborted' };
    if (result.ok) return { kind: 'ready', afterMs: now() - startedAt };
    lastDetail = result.detail;
    const nextAt = attemptAt + intervalMs;
    if (nextAt >= deadline) return { kind: 'timeout', lastDetail };
    const waitMs = nextAt - now();
    if (waitMs > 0) await sleep(waitMs, signal);
  }
}

// A check that throws counts as a failed attempt.
async function attempt(check: ReadyCheck, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  try {
    return await check(timeoutMs, signal);
  } catch (error) {
    return { ok: false, detail: `check failed: ${(error as Error).message}` };
  }
}

// The attempt's result, or undefined as soon as the signal aborts (the attempt got the
// signal too, and closes what it opened on its own).
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then((value) => {
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
