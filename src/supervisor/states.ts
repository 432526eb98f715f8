// The states of a service and the transitions allowed between them, as data. The names are
// supervisord's, which operators already know. This module imports nothing.

export type ServiceState =
  /** Not running and not meant to be (initial, or stopped at shutdown). */
  | 'stopped'
  /** Waiting for its dependencies to be ready. */
  | 'waiting'
  /** Will not start: a dependency failed for good. */
  | 'blocked'
  /** Its process is alive but not ready yet (a oneshot: still running). */
  | 'starting'
  /** Its process is alive and ready. */
  | 'running'
  /** Exited or failed to spawn; waiting out the restart delay. */
  | 'backoff'
  /** Was sent its stop signal; waiting for it to exit. */
  | 'stopping'
  /** Ended and its restart policy says not to restart it (a oneshot: succeeded). */
  | 'exited'
  /** Failed for good: gave up restarting, or failed with restart: never. */
  | 'fatal';

export const TRANSITIONS = {
  stopped: ['waiting', 'starting'],
  waiting: ['starting', 'blocked', 'stopped'],
  blocked: ['waiting', 'stopped'],
  starting: ['running', 'exited', 'backoff', 'fatal', 'stopping'],
  running: ['stopping', 'exited', 'backoff', 'fatal'],
  backoff: ['starting', 'stopped'],
  // A stop because a readiness or liveness probe failed ends in a restart decision.
  stopping: ['stopped', 'backoff', 'fatal'],
  // stopped: `corral stop` on a service that already ended, so it counts as wanted down.
  exited: ['waiting', 'starting', 'stopped'],
  fatal: ['waiting', 'starting', 'stopped'],
} as const satisfies Record<ServiceState, readonly ServiceState[]>;

export function canTransition(from: ServiceState, to: ServiceState): boolean {
  return (TRANSITIONS[from] as readonly ServiceState[]).includes(to);
}
