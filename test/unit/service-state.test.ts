import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, ServiceStateHolder } from '../../src/supervisor/service-state.js';
import { TRANSITIONS, type ServiceState } from '../../src/supervisor/states.js';

const STATES: readonly ServiceState[] = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'];

// The shortest series of allowed transitions from 'stopped' to `target`.
function pathTo(target: ServiceState): ServiceState[] {
  const via = new Map<ServiceState, ServiceState[]>([['stopped', []]]);
  const queue: ServiceState[] = ['stopped'];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    if (s === target) return via.get(s)!;
    for (const next of TRANSITIONS[s]) {
      if (!via.has(next)) {
        via.set(next, [...via.get(s)!, next]);
        queue.push(next);
      }
    }
  }
  throw new Error(`${target} is unreachable`);
}

function holderIn(state: ServiceState, name = 'web'): ServiceStateHolder {
  const holder = new ServiceStateHolder(name);
  for (const step of pathTo(state)) holder.transition(step);
  assert.equal(holder.state, state);
  return holder;
}

describe('ServiceStateHolder', () => {
  test('a new holder is stopped and keeps its service name', () => {
    const holder = new ServiceStateHolder('web');
    assert.equal(holder.state, 'stopped');
    assert.equal(holder.service, 'web');
  });

  test('a full life cycle: stopped -> starting -> running -> backoff -> starting -> running -> stopping -> stopped', () => {
    const holder = new ServiceStateHolder('web');
    const seen: ServiceState[] = [];
    for (const to of ['starting', 'running', 'backoff', 'starting', 'running', 'stopping', 'stopped'] as const) {
      holder.transition(to);
      seen.push(holder.state);
    }
    assert.deepEqual(seen, ['starting', 'running', 'backoff', 'starting', 'running', 'stopping', 'stopped']);
  });

  test('running -> fatal throws IllegalTransitionError "web: running -> fatal is not allowed"', () => {
    const holder = holderIn('running');
    assert.throws(() => holder.transition('fatal'), {
      name: 'IllegalTransitionError',
      code: 'ILLEGAL_TRANSITION',
      message: 'web: running -> fatal is not allowed',
    });
    assert.equal(holder.state, 'running');
  });

  test('the error names the service it belongs to', () => {
    const holder = new ServiceStateHolder('db-primary');
    assert.throws(() => holder.transition('running'), { message: 'db-primary: stopped -> running is not allowed' });
  });

  test('IllegalTransitionError is an Error', () => {
    const error = new IllegalTransitionError('web', 'stopped', 'exited');
    assert.ok(error instanceof Error);
    assert.equal(error.message, 'web: stopped -> exited is not allowed');
  });

  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = (TRANSITIONS[from] as readonly ServiceState[]).includes(to);
      if (allowed) {
        test(`transition: ${from} -> ${to} is allowed and changes the state`, () => {
          const holder = holderIn(from);
          holder.transition(to);
          assert.equal(holder.state, to);
        });
      } else {
        test(`transition: ${from} -> ${to} throws and leaves the state ${from}`, () => {
          const holder = holderIn(from);
          assert.throws(
            () => holder.transition(to),
            (error: unknown) => {
              assert.ok(error instanceof IllegalTransitionError);
              assert.equal(error.message, `web: ${from} -> ${to} is not allowed`);
              return true;
            },
          );
          assert.equal(holder.state, from);
        });
      }
    }
  }
});
