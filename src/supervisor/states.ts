// The states of a service and the transitions allowed between them, as data. The names are
// supervisord's, which operators already know. This module imports nothing.

export type ServiceState =
  /** Not running and not meant to be (initial, or stopped at shutdown). */
  | 'stopped'
  /** Being spawned. */
  | 'starting'
  /** Its process is alive. */
  | 'running'
  /** Exited or failed to spawn; waiting out the restart delay. */
  | 'backoff'
  /** Was sent its stop signal; waiting for it to exit. */
  | 'stopping'
  /** Exited and its restart policy says not to restart it. */
  | 'exited'
  /** Could not be started and will not be retried. */
  | 'fatal';

export const TRANSITIONS = {
  stopped: ['starting'],
  starting: ['running', 'backoff', 'fatal', 'stopped'],
  running: ['stopping', 'backoff', 'exited'],
  backoff: ['starting', 'stopped'],
  stopping: ['stopped'],
  exited: ['starting'],
  fatal: ['starting'],
} as const satisfies Record<ServiceState, readonly ServiceState[]>;

export function canTransition(from: ServiceState, to: ServiceState): boolean {
  return (TRANSITIONS[from] as readonly ServiceState[]).includes(to);
}
