import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, TRANSITIONS, type ServiceState } from '../../src/supervisor/states.js';

const STATES: readonly ServiceState[] = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'];

describe('TRANSITIONS', () => {
  test('TRANSITIONS has an entry for exactly the seven states', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...STATES].sort());
  });

  test('TRANSITIONS is the documented state machine', () => {
    assert.deepEqual(TRANSITIONS, {
      stopped: ['starting'],
      starting: ['running', 'backoff', 'fatal', 'stopped'],
      running: ['stopping', 'backoff', 'exited'],
      backoff: ['starting', 'stopped'],
      stopping: ['stopped'],
      exited: ['starting'],
      fatal: ['starting'],
    });
  });

  test('TRANSITIONS only names known states and lists no edge twice', () => {
    for (const [from, targets] of Object.entries(TRANSITIONS)) {
      const list: readonly string[] = targets;
      assert.equal(new Set(list).size, list.length, `${from} lists an edge twice`);
      for (const to of list) assert.ok((STATES as readonly string[]).includes(to), `${from} -> ${to}: unknown state`);
    }
  });

  test('every state can be reached from stopped, and stopped from every state', () => {
    const reachable = (from: ServiceState): Set<ServiceState> => {
      const seen = new Set<ServiceState>([from]);
      const queue = [from];
      for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
        for (const next of TRANSITIONS[s]) {
          if (!seen.has(next)) {
            seen.add(next);
            queue.push(next);
          }
        }
      }
      return seen;
    };
    assert.deepEqual([...reachable('stopped')].sort(), [...STATES].sort());
    for (const s of STATES) assert.ok(reachable(s).has('stopped'), `stopped is not reachable from ${s}`);
  });
});

describe('canTransition', () => {
  for (const from of STATES) {
    for (const to of STATES) {
      const allowed = (TRANSITIONS[from] as readonly ServiceState[]).includes(to);
      test(`transition: ${from} -> ${to} is ${allowed ? 'allowed' : 'not allowed'}`, () => {
        assert.equal(canTransition(from, to), allowed);
      });
    }
  }

  test('transition: no state may go to itself', () => {
    for (const s of STATES) assert.equal(canTransition(s, s), false, s);
  });

  test('transition: a few edges that must never exist', () => {
    assert.equal(canTransition('stopped', 'running'), false, 'running without starting');
    assert.equal(canTransition('running', 'fatal'), false, 'a service that ran is not fatal');
    assert.equal(canTransition('stopping', 'starting'), false, 'a stopping service is not restarted');
    assert.equal(canTransition('stopping', 'backoff'), false, 'a stopping service is not restarted');
  });
});
