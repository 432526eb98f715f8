import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, ServiceStateHolder } from '../../src/supervisor/service-state.js';
import type { ServiceState } from '../../src/supervisor/states.js';
import { ALLOWED_EDGES, STATES } from '../helpers/transition-spec.js';

const ALLOWED = ALLOWED_EDGES;

// A series of allowed transitions from 'stopped' to each state.
const PATHS: Record<ServiceState, readonly ServiceState[]> = {
  stopped: [],
  waiting: ['waiting'],
  blocked: ['waiting', 'blocked'],
  starting: ['starting'],
  running: ['starting', 'running'],
  backoff: ['starting', 'backoff'],
  stopping: ['starting', 'running', 'stopping'],
  exited: ['starting', 'exited'],
  fatal: ['starting', 'fatal'],
};

type Change = [ServiceState, ServiceState];

// A holder in `state`, with the changes its listener saw cleared.
function holderIn(state: ServiceState, name = 'web'): { holder: ServiceStateHolder; changes: Change[] } {
  const changes: Change[] = [];
  const holder = new ServiceStateHolder(name, (from, to) => changes.push([from, to]));
  for (const step of PATHS[state]) holder.transition(step);
  assert.equal(holder.state, state);
  changes.length = 0;
  return { holder, changes };
}

describe('ServiceStateHolder', () => {
  test('a new holder is stopped and keeps its service name', () => {
    const holder = new ServiceStateHolder('web');
    assert.equal(holder.state, 'stopped');
    assert.equal(holder.service, 'web');
  });

  test('a new holder does not call its listener', () => {
    const changes: Change[] = [];
    new ServiceStateHolder('web', (from, to) => changes.push([from, to]));
    assert.deepEqual(changes, []);
  });

  test('without a listener, transitions still work', () => {
    const holder = new ServiceStateHolder('web');
    holder.transition('waiting');
    holder.transition('starting');
    assert.equal(holder.state, 'starting');
  });

  test('a full life cycle calls the listener once per transition, with (from, to)', () => {
    const { holder, changes } = holderIn('stopped');
    const steps = ['waiting', 'starting', 'running', 'backoff', 'starting', 'running', 'stopping', 'stopped'] as const;
    for (const to of steps) holder.transition(to);
    assert.deepEqual(changes, [
      ['stopped', 'waiting'],
      ['waiting', 'starting'],
      ['starting', 'running'],
      ['running', 'backoff'],
      ['backoff', 'starting'],
      ['starting', 'running'],
      ['running', 'stopping'],
      ['stopping', 'stopped'],
    ]);
  });

  test('a blocked service waits again once its dependency is restarted', () => {
    const { holder, changes } = holderIn('blocked');
    holder.transition('waiting');
    holder.transition('starting');
    assert.deepEqual(changes, [
      ['blocked', 'waiting'],
      ['waiting', 'starting'],
    ]);
  });

  test('the listener sees the new state already in place', () => {
    const seen: ServiceState[] = [];
    const holder: ServiceStateHolder = new ServiceStateHolder('web', () => seen.push(holder.state));
    holder.transition('starting');
    assert.deepEqual(seen, ['starting']);
  });

  test('running -> waiting throws IllegalTransitionError "web: running -> waiting is not allowed"', () => {
    const { holder, changes } = holderIn('running');
    assert.throws(() => holder.transition('waiting'), {
      name: 'IllegalTransitionError',
      code: 'ILLEGAL_TRANSITION',
      message: 'web: running -> waiting is not allowed',
    });
    assert.equal(holder.state, 'running');
    assert.deepEqual(changes, [], 'the listener is not called');
  });

  test('the error names the service it belongs to', () => {
    const holder = new ServiceStateHolder('db-primary');
    assert.throws(() => holder.transition('running'), { message: 'db-primary: stopped -> running is not allowed' });
  });

  test('IllegalTransitionError is an Error', () => {
    const error = new IllegalTransitionError('web', 'stopped', 'exited');
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'IllegalTransitionError');
    assert.equal(error.code, 'ILLEGAL_TRANSITION');
    assert.equal(error.message, 'web: stopped -> exited is not allowed');
  });

  for (const from of STATES) {
    for (const to of STATES) {
      if (ALLOWED[from].includes(to)) {
        test(`transition: ${from} -> ${to} is allowed, changes the state and tells the listener once`, () => {
          const { holder, changes } = holderIn(from);
          holder.transition(to);
          assert.equal(holder.state, to);
          assert.deepEqual(changes, [[from, to]]);
        });
      } else {
        test(`transition: ${from} -> ${to} throws, leaves the state ${from} and does not tell the listener`, () => {
          const { holder, changes } = holderIn(from);
          assert.throws(
            () => holder.transition(to),
            (error: unknown) => {
              assert.ok(error instanceof IllegalTransitionError);
              assert.equal(error.message, `web: ${from} -> ${to} is not allowed`);
              return true;
            },
          );
          assert.equal(holder.state, from);
          assert.deepEqual(changes, []);
        });
      }
    }
  }
});
