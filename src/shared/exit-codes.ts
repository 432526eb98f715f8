// corral's exit codes, in one table that every layer may import; the README has the same
// table.
export const ExitCode = {
  /** Stopped on request (SIGTERM, SIGINT, SIGQUIT); a control command done. */
  ok: 0,
  /** A service that the container needs failed (see the lifecycle issue). */
  serviceFailed: 1,
  /** A control command refused (the message says why). */
  refused: 1,
  /** corral ready or corral health: not passing, or corral unreachable. */
  notPassing: 1,
  /** Bad command line or service configuration: nothing was started. */
  config: 100,
  /** A system error: the native addon is missing, a syscall failed, an internal error; for
   * a control command, corral unreachable. */
  system: 111,
} as const;
