// Milliseconds on a clock that never jumps, for measuring how long something took.
// performance.now() is the same clock, but the global `performance` loads perf_hooks and
// a dozen modules of Node's with it, on the way to the first service (issue 20).
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
