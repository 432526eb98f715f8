// What the lifecycle needs of the transition table, as behaviour: the table itself is
// written once, in states.ts, and the simulation (test/sim) checks that no run of the
// real runner takes an edge outside it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, hasProcess, isActive, STATES, TRANSITIONS } from '../../src/supervisor/states.js';

describe('TRANSITIONS', () => {
  test('has an entry for exactly the ten states, and names no other', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...STATES].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const to of targets) assert.ok(STATES.includes(to));
  });

  test('no state transitions to itself: same-state facts are updates, not transitions', () => {
    for (const state of STATES) assert.equal(canTransition(state, state), false, state);
  });

  test('a service with a process can always be stopped, and any run can end in every way', () => {
    for (const from of ['starting', 'running'] as const) assert.ok(canTransition(from, 'stopping'));
    for (const to of ['backoff', 'exited', 'fatal'] as const) {
      for (const from of ['starting', 'running', 'stopping'] as const) assert.ok(canTransition(from, to), `${from} -> ${to}`);
    }
  });

  test('a scheduled service goes back to its schedule however a run ends, and is never in backoff (issue 18)', () => {
    for (const from of ['waiting', 'starting', 'running', 'stopping'] as const) assert.ok(canTransition(from, 'scheduled'), `${from} -> scheduled`);
    assert.deepEqual([...TRANSITIONS.scheduled].sort(), ['starting', 'stopped']);
    assert.equal(canTransition('backoff', 'scheduled'), false);
    assert.ok(isActive('scheduled'));
    assert.equal(hasProcess({ state: 'scheduled', nextAt: 1000 }), false);
  });

  test('a spawn that failed while a stop was asked for ends stopped (issue 16, item 1)', () => {
    assert.ok(canTransition('starting', 'stopped'));
  });

  test('only states that hold a run are entered with a process', () => {
    assert.equal(hasProcess({ state: 'starting', run: undefined }), false);
    assert.equal(hasProcess({ state: 'starting', run: { pid: 1 } }), true);
    assert.equal(hasProcess({ state: 'backoff', delayMs: 5 }), false);
    assert.ok(isActive('backoff') && !isActive('fatal'));
  });
});
