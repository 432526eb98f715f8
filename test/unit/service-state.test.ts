import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError, ServiceStateHolder } from '../../src/supervisor/service-state.js';
import { canTransition, STATES, type ServiceState, type ServiceStatus } from '../../src/supervisor/states.js';

// A status of `state` with placeholder facts.
function statusOf(state: ServiceState): ServiceStatus {
  switch (state) {
    case 'stopped':
      return { state, byOperator: false };
    case 'blocked':
      return { state, chain: ['db'] };
    case 'starting':
      return { state, run: undefined };
    case 'running':
    case 'stopping':
      return { state, run: { pid: 42 } };
    case 'backoff':
      return { state, delayMs: 100 };
    case 'scheduled':
      return { state, nextAt: 60_000 };
    case 'fatal':
      return { state, failure: 'exited with code 1' };
    case 'waiting':
    case 'exited':
      return { state };
  }
}

// A holder in `state`, reached by a shortest path of allowed edges from 'stopped'.
function holderIn(state: ServiceState): ServiceStateHolder {
  const holder = new ServiceStateHolder('web');
  const path = shortestPath('stopped', state);
  for (const step of path) holder.set(statusOf(step));
  assert.equal(holder.state, state);
  return holder;
}

function shortestPath(from: ServiceState, to: ServiceState): ServiceState[] {
  const previous = new Map<ServiceState, ServiceState>([[from, from]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    for (const next of STATES.filter((s) => canTransition(at, s) && !previous.has(s))) {
      previous.set(next, at);
      queue.push(next);
    }
  }
  const path: ServiceState[] = [];
  for (let at = to; at !== from; at = previous.get(at)!) path.unshift(at);
  return path;
}

describe('ServiceStateHolder', () => {
  test('a new holder is stopped, not by the operator, and keeps its service name', () => {
    const holder = new ServiceStateHolder('web');
    assert.deepEqual(holder.status, { state: 'stopped', byOperator: false });
    assert.equal(holder.service, 'web');
  });

  test('every state is reachable from stopped, and stopped from every state: no dead end', () => {
    for (const state of STATES) {
      assert.ok(state === 'stopped' || shortestPath('stopped', state).length > 0, `${state} is reachable`);
      assert.ok(state === 'stopped' || shortestPath(state, 'stopped').length > 0, `${state} can end stopped`);
    }
  });

  for (const from of STATES) {
    test(`from ${from}: the allowed edges are taken and told, every other one throws and changes nothing`, () => {
      for (const to of STATES) {
        const changes: [ServiceState, ServiceState][] = [];
        const holder = holderIn(from);
        const listening = new ServiceStateHolder('web', (a, b) => changes.push([a, b]));
        for (const step of shortestPath('stopped', from)) listening.set(statusOf(step));
        changes.length = 0;
        if (canTransition(from, to)) {
          listening.set(statusOf(to));
          assert.deepEqual(changes, [[from, to]]);
          assert.equal(listening.state, to);
        } else {
          assert.throws(
            () => holder.set(statusOf(to)),
            (error: unknown) => error instanceof IllegalTransitionError && error.message === `web: ${from} -> ${to} is not allowed`,
          );
          assert.equal(holder.state, from);
        }
      }
    });
  }

  test('update() changes the facts of the same state without telling the listener', () => {
    const changes: unknown[] = [];
    const holder = new ServiceStateHolder('web', (...change) => changes.push(change));
    holder.set({ state: 'waiting' });
    holder.set({ state: 'starting', run: undefined });
    changes.length = 0;
    holder.update({ state: 'starting', run: { pid: 7 } });
    assert.deepEqual(holder.status, { state: 'starting', run: { pid: 7 } });
    assert.deepEqual(changes, []);
  });

  test('update() to another state throws: a change of state is a transition', () => {
    const holder = holderIn('starting');
    assert.throws(() => holder.update({ state: 'running', run: { pid: 7 } }), IllegalTransitionError);
  });
});
