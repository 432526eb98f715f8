// Timers that alone must not keep corral running: the health monitor's, the watchdog's,
// the memory trimmer's and the optimizer gate's. Each takes setTimer/clearTimer as
// options, so tests can fire them by hand; these are the defaults.

export function setUnrefTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(callback, ms).unref();
}

export function clearUnrefTimeout(timer: unknown): void {
  clearTimeout(timer as NodeJS.Timeout);
}
