// Bounded waits on the event loop. Every wait in corral ends by a deadline: PID 1 must
// never hang on a process that will not die.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

// Polls `condition` every intervalMs until it holds (true), timeoutMs passes or `cancel`
// resolves (false).
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  intervalMs: number,
  cancel?: Promise<void>,
): Promise<boolean> {
  const end = Date.now() + Math.max(0, timeoutMs);
  let cancelled = false;
  void cancel?.then(() => {
    cancelled = true;
  });
  for (;;) {
    if (condition()) return true;
    if (cancelled || Date.now() >= end) return false;
    await sleep(Math.min(intervalMs, end - Date.now()));
  }
}

// Timers that alone must not keep corral running: the health monitor's and the watchdog's.
// Both take setTimer/clearTimer as options, so tests can fire them by hand; these are the
// defaults.
export function setUnrefTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(callback, ms).unref();
}

export function clearUnrefTimeout(timer: unknown): void {
  clearTimeout(timer as NodeJS.Timeout);
}
