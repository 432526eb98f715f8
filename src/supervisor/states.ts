// The states of a service, the facts that go with each, the transitions allowed between
// them, and every question asked about them, in one place. The names are supervisord's,
// which operators already know. Transitions are data; service-state.ts is their one
// checked writer.

export type ServiceState = ServiceStatus['state'];

/** longrun keeps running; oneshot runs to completion once; scheduled runs on its schedule. */
export type ServiceKind = 'longrun' | 'oneshot' | 'scheduled';

/** What a run is, to the states: the runner's own record of one process. */
export interface RunFacts {
  pid: number;
}

export type ServiceStatus<Run extends RunFacts = RunFacts> =
  /** Not running and not meant to be (initial, stopped at shutdown, or by `corral stop`). */
  | { state: 'stopped'; byOperator: boolean }
  /** Waiting for its dependencies to be ready. */
  | { state: 'waiting' }
  /** Will not start: `chain` leads, dependency by dependency, to the one that failed. */
  | { state: 'blocked'; chain: readonly string[] }
  /** Its process is alive but not ready yet (a oneshot: still running). No run yet: the
   * spawn was asked for and its failure may still come. */
  | { state: 'starting'; run: Run | undefined }
  /** Its process is alive and ready. */
  | { state: 'running'; run: Run }
  /** Exited or failed to spawn; waiting out the restart delay. */
  | { state: 'backoff'; delayMs: number }
  /** Was sent its stop signal, or its main process exited and what is left in its
   * process group is being stopped. */
  | { state: 'stopping'; run: Run }
  /** A scheduled service between runs, its next one due at nextAt (by the supervisor's
   * clock); undefined when no time matches any more. A run is starting, running and
   * stopping like any run, and comes back here. */
  | { state: 'scheduled'; nextAt: number | undefined }
  /** Ended and its restart policy says not to restart it (a oneshot: succeeded). */
  | { state: 'exited' }
  /** Failed for good: gave up restarting, or failed with restart: never. */
  | { state: 'fatal'; failure: string };

export const STATES = [
  'stopped',
  'waiting',
  'blocked',
  'starting',
  'running',
  'backoff',
  'stopping',
  'scheduled',
  'exited',
  'fatal',
] as const satisfies readonly ServiceState[];

export const TRANSITIONS = {
  stopped: ['waiting', 'starting'],
  // scheduled: a scheduled service whose dependencies are ready waits for its first run.
  waiting: ['starting', 'scheduled', 'blocked', 'stopped'],
  blocked: ['waiting', 'stopped'],
  // stopped: stopped before its process was known (a spawn that failed meanwhile).
  // scheduled: a scheduled run that could not be started waits for the next.
  starting: ['running', 'exited', 'backoff', 'fatal', 'stopping', 'stopped', 'scheduled'],
  // scheduled: a scheduled run ended; fatal: it failed and has on_failure: shutdown.
  running: ['stopping', 'exited', 'backoff', 'fatal', 'scheduled'],
  backoff: ['starting', 'stopped'],
  // A stop because a probe failed or a scheduled run timed out or was replaced, or
  // leftovers stopped after an exit, ends in the decision the exit calls for.
  stopping: ['stopped', 'backoff', 'exited', 'fatal', 'scheduled'],
  // starting: a run is due (or `corral start`); stopped: `corral stop`, shutdown.
  scheduled: ['starting', 'stopped'],
  // stopped: `corral stop` on a service that already ended, so it counts as wanted down.
  exited: ['waiting', 'starting', 'stopped'],
  fatal: ['waiting', 'starting', 'stopped'],
} as const satisfies Record<ServiceState, readonly ServiceState[]>;

export function canTransition(from: ServiceState, to: ServiceState): boolean {
  return (TRANSITIONS[from] as readonly ServiceState[]).includes(to);
}

// States in which a service has, or is about to have, a process.
const ACTIVE: readonly ServiceState[] = ['waiting', 'starting', 'running', 'backoff', 'stopping', 'scheduled'];

export function isActive(state: ServiceState): boolean {
  return ACTIVE.includes(state);
}

export function hasProcess(status: ServiceStatus): boolean {
  return (status.state === 'starting' && status.run !== undefined) || status.state === 'running' || status.state === 'stopping';
}

// A scheduled service's schedule is armed in these states: between runs and during one.
const ARMED: readonly ServiceState[] = ['scheduled', 'starting', 'running', 'stopping'];

// Ready: a longrun running, a oneshot that succeeded, a scheduled service whose schedule
// is armed. (Nothing may depend on a scheduled service; this is what `corral ready` says.)
export function isSatisfied(type: ServiceKind, state: ServiceState): boolean {
  switch (type) {
    case 'longrun':
      return state === 'running';
    case 'oneshot':
      return state === 'exited';
    case 'scheduled':
      return ARMED.includes(state);
  }
}

// A oneshot that succeeded is done: it is not run again for its dependents.
export function isDone(type: ServiceKind, state: ServiceState): boolean {
  return type === 'oneshot' && state === 'exited';
}

// A dependency will never be satisfied without someone acting (a reload, a restart).
export function hasFailed(type: ServiceKind, state: ServiceState): boolean {
  return state === 'fatal' || state === 'blocked' || (type === 'longrun' && state === 'exited');
}
