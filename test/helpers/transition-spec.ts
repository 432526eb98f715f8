// The service state machine as the tests specify it, written out by hand: every allowed
// edge; every other pair is not allowed. src/supervisor/states.ts must match it.
import type { ServiceState } from '../../src/supervisor/states.js';

export const STATES: readonly ServiceState[] = ['stopped', 'waiting', 'blocked', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'];

export const ALLOWED_EDGES: Record<ServiceState, readonly ServiceState[]> = {
  stopped: ['waiting', 'starting'],
  waiting: ['starting', 'blocked', 'stopped'],
  blocked: ['waiting', 'stopped'],
  starting: ['running', 'exited', 'backoff', 'fatal', 'stopping'],
  running: ['stopping', 'exited', 'backoff', 'fatal'],
  backoff: ['starting', 'stopped'],
  stopping: ['stopped', 'backoff', 'fatal'],
  exited: ['waiting', 'starting', 'stopped'],
  fatal: ['waiting', 'starting', 'stopped'],
};
