// corral's exit codes; the README has the same table.
export const ExitCode = {
  /** Stopped on request (SIGTERM, SIGINT, SIGQUIT). */
  ok: 0,
  /** A service that the container needs failed (see the lifecycle issue). */
  serviceFailed: 1,
  /** Bad command line or service configuration: nothing was started. */
  config: 100,
  /** A system error: the native addon is missing, a syscall failed, an internal error. */
  system: 111,
} as const;
