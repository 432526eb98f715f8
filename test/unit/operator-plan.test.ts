import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { withDependencies, withDependents, type PlanNode } from '../../src/supervisor/operator-plan.js';
import { isActive } from '../../src/supervisor/states.js';
import type { ServiceType } from '../../src/config/service-config.js';
import type { ServiceState } from '../../src/supervisor/states.js';

const STATES: readonly ServiceState[] = ['stopped', 'waiting', 'blocked', 'starting', 'running', 'backoff', 'stopping', 'exited', 'fatal'];

// One node: `name` in `state`, a longrun unless told otherwise.
function node(name: string, state: ServiceState, depends_on: string[] = [], type: ServiceType = 'longrun'): PlanNode {
  return { name, type, depends_on, state };
}

describe('isActive', () => {
  // [state, active]: active means it has, or is about to have, a process.
  const table: [ServiceState, boolean][] = [
    ['stopped', false],
    ['waiting', true],
    ['blocked', false],
    ['starting', true],
    ['running', true],
    ['backoff', true],
    ['stopping', true],
    ['exited', false],
    ['fatal', false],
  ];

  test('the table covers every state once', () => {
    assert.deepEqual(
      table.map(([state]) => state),
      STATES,
    );
  });

  for (const [state, active] of table) {
    test(`${state} is ${active ? 'active' : 'not active'}`, () => {
      assert.equal(isActive(state), active);
    });
  }
});

describe('withDependents', () => {
  // proxy -> web -> db, and worker -> db; cron stands alone.
  const chain = [
    node('db', 'running'),
    node('web', 'running', ['db']),
    node('proxy', 'running', ['web']),
    node('worker', 'running', ['db']),
    node('cron', 'running'),
  ];

  test('a service nothing depends on is only itself', () => {
    assert.deepEqual(withDependents(['cron'], chain), ['cron']);
    assert.deepEqual(withDependents(['proxy'], chain), ['proxy']);
  });

  test('direct dependents come before the service', () => {
    assert.deepEqual(withDependents(['web'], chain), ['proxy', 'web']);
  });

  test('dependents of dependents are included, transitively, dependents first', () => {
    assert.deepEqual(withDependents(['db'], chain), ['proxy', 'web', 'worker', 'db']);
  });

  test('the dependents are found whatever their states (the plan is about the graph)', () => {
    const mixed = [node('db', 'fatal'), node('web', 'stopped', ['db']), node('proxy', 'exited', ['web'])];
    assert.deepEqual(withDependents(['db'], mixed), ['proxy', 'web', 'db']);
  });

  test('a diamond lists the shared dependent once, before both of its dependencies', () => {
    // top depends on left and right, which both depend on base.
    const diamond = [node('base', 'running'), node('left', 'running', ['base']), node('right', 'running', ['base']), node('top', 'running', ['left', 'right'])];
    const order = withDependents(['base'], diamond);
    assert.deepEqual(order, ['top', 'left', 'right', 'base']);
    assert.equal(new Set(order).size, order.length);
  });

  test('several names share their dependents, each listed once', () => {
    assert.deepEqual(withDependents(['web', 'db'], chain), ['proxy', 'web', 'worker', 'db']);
    assert.deepEqual(withDependents(['db', 'web'], chain), ['proxy', 'web', 'worker', 'db']);
  });

  test('a name given twice, or also reached as a dependent, is listed once', () => {
    assert.deepEqual(withDependents(['web', 'web'], chain), ['proxy', 'web']);
    assert.deepEqual(withDependents(['proxy', 'db'], chain), ['proxy', 'web', 'worker', 'db']);
  });

  test('every dependent precedes what it depends on, in a wider graph', () => {
    const graph = [
      node('a', 'running'),
      node('b', 'running', ['a']),
      node('c', 'running', ['a', 'b']),
      node('d', 'running', ['c']),
      node('e', 'running', ['b', 'd']),
      node('f', 'running'),
    ];
    const order = withDependents(['a'], graph);
    assert.deepEqual(order, ['e', 'd', 'c', 'b', 'a']);
    for (const { name, depends_on } of graph) {
      for (const dependency of depends_on) {
        if (order.includes(name)) assert.ok(order.indexOf(name) < order.indexOf(dependency), `${name} before ${dependency} in ${order.join(',')}`);
      }
    }
  });

  test('an unknown name is passed through on its own, and does not throw', () => {
    assert.deepEqual(withDependents(['ghost'], chain), ['ghost']);
    assert.deepEqual(withDependents(['ghost', 'web'], chain), ['ghost', 'proxy', 'web']);
  });

  test('a depends_on naming a service that is not in the graph is ignored', () => {
    const nodes = [node('web', 'running', ['missing'])];
    assert.deepEqual(withDependents(['web'], nodes), ['web']);
    assert.deepEqual(withDependents(['missing'], nodes), ['missing']);
  });

  test('no names, no plan', () => {
    assert.deepEqual(withDependents([], chain), []);
  });

  test('a cycle (which validation rejects) still ends, each name once', () => {
    const cycle = [node('a', 'running', ['b']), node('b', 'running', ['a'])];
    assert.deepEqual(withDependents(['a'], cycle), ['b', 'a']);
  });
});

describe('withDependencies', () => {
  test('a service without dependencies is only itself, whatever its state', () => {
    for (const state of STATES) assert.deepEqual(withDependencies(['web'], [node('web', state)]), ['web'], state);
  });

  // [dependency type, dependency state, included]
  const table: [ServiceType, ServiceState, boolean][] = [
    ['longrun', 'stopped', true],
    ['longrun', 'waiting', false],
    ['longrun', 'blocked', true],
    ['longrun', 'starting', false],
    ['longrun', 'running', false],
    ['longrun', 'backoff', false],
    ['longrun', 'stopping', false],
    ['longrun', 'exited', true],
    ['longrun', 'fatal', true],
    ['oneshot', 'stopped', true],
    ['oneshot', 'waiting', false],
    ['oneshot', 'blocked', true],
    ['oneshot', 'starting', false],
    ['oneshot', 'running', false],
    ['oneshot', 'backoff', false],
    ['oneshot', 'stopping', false],
    ['oneshot', 'exited', false],
    ['oneshot', 'fatal', true],
  ];

  test('the table covers every state of both types', () => {
    assert.equal(table.length, STATES.length * 2);
  });

  for (const [type, state, included] of table) {
    test(`a ${type} dependency that is ${state} is ${included ? 'started first' : 'left alone'}`, () => {
      const nodes = [node('dep', state, [], type), node('web', 'stopped', ['dep'])];
      assert.deepEqual(withDependencies(['web'], nodes), included ? ['dep', 'web'] : ['web']);
    });
  }

  test('an exited oneshot is not rerun, but what is stopped next to it is started', () => {
    const nodes = [node('migrate', 'exited', [], 'oneshot'), node('db', 'stopped'), node('web', 'stopped', ['migrate', 'db'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['db', 'web']);
  });

  test('dependencies come first, transitively', () => {
    const nodes = [node('migrate', 'fatal', [], 'oneshot'), node('db', 'stopped', ['migrate']), node('web', 'stopped', ['db'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['migrate', 'db', 'web']);
  });

  test('an active dependency stops the walk: its own dependencies are its business', () => {
    // db is running; that migrate is fatal does not matter to a start of web.
    const nodes = [node('migrate', 'fatal', [], 'oneshot'), node('db', 'running', ['migrate']), node('web', 'stopped', ['db'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['web']);
  });

  test('an exited oneshot stops the walk too', () => {
    const nodes = [node('base', 'stopped'), node('migrate', 'exited', ['base'], 'oneshot'), node('web', 'stopped', ['migrate'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['web']);
  });

  test('a diamond lists the shared dependency once, before everything that needs it', () => {
    const diamond = [node('base', 'stopped'), node('left', 'stopped', ['base']), node('right', 'fatal', ['base']), node('top', 'stopped', ['left', 'right'])];
    assert.deepEqual(withDependencies(['top'], diamond), ['base', 'left', 'right', 'top']);
  });

  test('dependencies follow depends_on order', () => {
    const nodes = [node('a', 'stopped'), node('b', 'stopped'), node('web', 'stopped', ['b', 'a'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['b', 'a', 'web']);
  });

  test('names that are dependencies of one another are listed once, dependencies first', () => {
    const nodes = [node('db', 'stopped'), node('web', 'stopped', ['db'])];
    assert.deepEqual(withDependencies(['web', 'db'], nodes), ['db', 'web']);
    assert.deepEqual(withDependencies(['db', 'web'], nodes), ['db', 'web']);
  });

  test('a named service is included even if it is active (the caller decides what to do with it)', () => {
    const nodes = [node('db', 'stopped'), node('web', 'running', ['db'])];
    assert.deepEqual(withDependencies(['web'], nodes), ['db', 'web']);
  });

  test('an unknown name is passed through, and an unknown dependency is left out', () => {
    assert.deepEqual(withDependencies(['ghost'], [node('web', 'stopped')]), ['ghost']);
    assert.deepEqual(withDependencies(['web'], [node('web', 'stopped', ['missing'])]), ['web']);
  });

  test('dependents are not included', () => {
    const nodes = [node('db', 'stopped'), node('web', 'stopped', ['db'])];
    assert.deepEqual(withDependencies(['db'], nodes), ['db']);
  });

  test('no names, no plan', () => {
    assert.deepEqual(withDependencies([], [node('web', 'stopped')]), []);
  });
});
