import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startActions, type ServiceView, type StartAction } from '../../src/supervisor/start-plan.js';
import { hasFailed, isSatisfied, STATES } from '../../src/supervisor/states.js';
import type { ServiceType } from '../../src/config/service-config.js';
import type { ServiceState } from '../../src/supervisor/states.js';

// A view of one service: `name: state`, a longrun unless told otherwise.
function view(name: string, state: ServiceState, depends_on: string[] = [], type: ServiceType = 'longrun'): ServiceView {
  return { name, type, depends_on, state };
}

function viewsOf(...list: ServiceView[]): Map<string, ServiceView> {
  return new Map(list.map((v) => [v.name, v]));
}

// Apply the actions the way the supervisor does: start -> starting, block -> blocked.
function apply(views: Map<string, ServiceView>, actions: StartAction[]): void {
  for (const action of actions) {
    const old = views.get(action.name)!;
    if (action.kind === 'start') views.set(action.name, { ...old, state: 'starting' });
    else views.set(action.name, { ...old, state: 'blocked', blockedBy: action.chain });
  }
}

function set(views: Map<string, ServiceView>, name: string, state: ServiceState): void {
  views.set(name, { ...views.get(name)!, state });
}

describe('isSatisfied and hasFailed', () => {
  // [type, state, satisfied, failed]
  const table: [ServiceType, ServiceState, boolean, boolean][] = [
    ['longrun', 'stopped', false, false],
    ['longrun', 'waiting', false, false],
    ['longrun', 'blocked', false, true],
    ['longrun', 'starting', false, false],
    ['longrun', 'running', true, false],
    ['longrun', 'backoff', false, false],
    ['longrun', 'stopping', false, false],
    ['longrun', 'scheduled', false, false],
    ['longrun', 'exited', false, true],
    ['longrun', 'fatal', false, true],
    ['oneshot', 'stopped', false, false],
    ['oneshot', 'waiting', false, false],
    ['oneshot', 'blocked', false, true],
    ['oneshot', 'starting', false, false],
    ['oneshot', 'running', false, false],
    ['oneshot', 'backoff', false, false],
    ['oneshot', 'stopping', false, false],
    ['oneshot', 'scheduled', false, false],
    ['oneshot', 'exited', true, false],
    ['oneshot', 'fatal', false, true],
    // What `corral ready` says of a scheduled service: ready while its schedule is armed,
    // between runs and during one. Nothing may depend on it (corral check refuses that).
    ['scheduled', 'stopped', false, false],
    ['scheduled', 'waiting', false, false],
    ['scheduled', 'blocked', false, true],
    ['scheduled', 'starting', true, false],
    ['scheduled', 'running', true, false],
    ['scheduled', 'backoff', false, false],
    ['scheduled', 'stopping', true, false],
    ['scheduled', 'scheduled', true, false],
    ['scheduled', 'exited', false, false],
    ['scheduled', 'fatal', false, true],
  ];

  test('the table covers every state of the three types', () => {
    assert.equal(table.length, STATES.length * 3);
  });

  for (const [type, state, satisfied, failed] of table) {
    const label = satisfied ? 'satisfied' : failed ? 'failed' : 'neither (wait)';
    test(`a ${type} dependency that is ${state} is ${label}`, () => {
      assert.equal(isSatisfied(type, state), satisfied, 'isSatisfied');
      assert.equal(hasFailed(type, state), failed, 'hasFailed');
    });
  }
});

describe('startActions', () => {
  test('startActions: independent waiting services all start at once', () => {
    const views = viewsOf(view('a', 'waiting'), view('b', 'waiting'), view('c', 'waiting'));
    assert.deepEqual(startActions(views), [
      { kind: 'start', name: 'a' },
      { kind: 'start', name: 'b' },
      { kind: 'start', name: 'c' },
    ]);
  });

  test('startActions: nothing happens for services that are not waiting', () => {
    for (const state of STATES.filter((s) => s !== 'waiting')) {
      const views = viewsOf(view('a', state), view('b', state, ['a']), view('dead', 'fatal'), view('c', state, ['dead']));
      assert.deepEqual(startActions(views), [], state);
    }
  });

  test('startActions: no services, no actions', () => {
    assert.deepEqual(startActions(new Map()), []);
  });

  test('startActions: a chain a -> b -> c starts one link at a time', () => {
    // a depends on b, b depends on c.
    const views = viewsOf(view('a', 'waiting', ['b']), view('b', 'waiting', ['c']), view('c', 'waiting'));
    const rounds: StartAction[][] = [];
    const step = (): void => {
      const actions = startActions(views);
      rounds.push(actions);
      apply(views, actions);
    };
    step();
    assert.deepEqual(rounds.at(-1), [{ kind: 'start', name: 'c' }]);
    step();
    assert.deepEqual(rounds.at(-1), [], 'c is starting, not yet ready');
    set(views, 'c', 'running');
    step();
    assert.deepEqual(rounds.at(-1), [{ kind: 'start', name: 'b' }]);
    set(views, 'b', 'running');
    step();
    assert.deepEqual(rounds.at(-1), [{ kind: 'start', name: 'a' }]);
  });

  test('startActions: a dependency in backoff, stopping or stopped is waited for', () => {
    for (const state of ['backoff', 'stopping', 'stopped', 'starting', 'waiting'] as const) {
      const actions = startActions(viewsOf(view('db', state), view('web', 'waiting', ['db'])));
      assert.deepEqual(
        actions.filter((action) => action.name === 'web'),
        [],
        state,
      );
    }
  });

  test('startActions: a diamond starts the top only when both sides are ready', () => {
    // app depends on left and right; both depend on base.
    const views = viewsOf(
      view('app', 'waiting', ['left', 'right']),
      view('left', 'waiting', ['base']),
      view('right', 'waiting', ['base']),
      view('base', 'waiting'),
    );
    assert.deepEqual(startActions(views), [{ kind: 'start', name: 'base' }]);
    set(views, 'base', 'running');
    assert.deepEqual(startActions(views), [
      { kind: 'start', name: 'left' },
      { kind: 'start', name: 'right' },
    ]);
    set(views, 'left', 'running');
    set(views, 'right', 'starting');
    assert.deepEqual(startActions(views), [], 'app waits for right');
    set(views, 'right', 'running');
    assert.deepEqual(startActions(views), [{ kind: 'start', name: 'app' }]);
  });

  test('startActions: a diamond with a failed base blocks both sides, then the top through the first side', () => {
    const views = viewsOf(
      view('app', 'waiting', ['left', 'right']),
      view('left', 'waiting', ['base']),
      view('right', 'waiting', ['base']),
      view('base', 'fatal'),
    );
    const first = startActions(views);
    assert.deepEqual(first, [
      { kind: 'block', name: 'left', chain: ['base'] },
      { kind: 'block', name: 'right', chain: ['base'] },
    ]);
    apply(views, first);
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'app', chain: ['left', 'base'] }]);
  });

  test('startActions: a oneshot dependency that exited (succeeded) lets its dependents start', () => {
    const views = viewsOf(view('migrate', 'exited', [], 'oneshot'), view('web', 'waiting', ['migrate']));
    assert.deepEqual(startActions(views), [{ kind: 'start', name: 'web' }]);
  });

  test('startActions: a oneshot dependency still running holds its dependents back', () => {
    for (const state of ['starting', 'running'] as const) {
      const views = viewsOf(view('migrate', state, [], 'oneshot'), view('web', 'waiting', ['migrate']));
      assert.deepEqual(startActions(views), [], state);
    }
  });

  test('startActions: a oneshot dependency that is fatal blocks its dependents', () => {
    const views = viewsOf(view('migrate', 'fatal', [], 'oneshot'), view('web', 'waiting', ['migrate']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'web', chain: ['migrate'] }]);
  });

  test('startActions: a longrun dependency that is running lets its dependents start', () => {
    const views = viewsOf(view('db', 'running'), view('web', 'waiting', ['db']));
    assert.deepEqual(startActions(views), [{ kind: 'start', name: 'web' }]);
  });

  test('startActions: a longrun dependency that exited has failed, and blocks its dependents', () => {
    const views = viewsOf(view('db', 'exited'), view('web', 'waiting', ['db']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'web', chain: ['db'] }]);
  });

  test('startActions: a longrun dependency that is fatal blocks its dependents', () => {
    const views = viewsOf(view('db', 'fatal'), view('web', 'waiting', ['db']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'web', chain: ['db'] }]);
  });

  test('startActions: a block propagates down a chain, the chain growing by one each round', () => {
    // d depends on c, c on b, b on a; a is fatal.
    const views = viewsOf(view('d', 'waiting', ['c']), view('c', 'waiting', ['b']), view('b', 'waiting', ['a']), view('a', 'fatal'));
    const rounds: StartAction[][] = [];
    for (let actions = startActions(views); actions.length > 0; actions = startActions(views)) {
      rounds.push(actions);
      apply(views, actions);
    }
    assert.deepEqual(rounds, [
      [{ kind: 'block', name: 'b', chain: ['a'] }],
      [{ kind: 'block', name: 'c', chain: ['b', 'a'] }],
      [{ kind: 'block', name: 'd', chain: ['c', 'b', 'a'] }],
    ]);
    assert.deepEqual(views.get('d')?.blockedBy, ['c', 'b', 'a']);
  });

  test('startActions: a blocked dependency without blockedBy gives a chain of just its name', () => {
    const views = viewsOf(view('b', 'blocked'), view('a', 'waiting', ['b']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'a', chain: ['b'] }]);
  });

  test('startActions: a failed dependency wins over ones that are still starting or ready', () => {
    const views = viewsOf(view('ok', 'running'), view('slow', 'starting'), view('bad', 'fatal'), view('web', 'waiting', ['ok', 'slow', 'bad']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'web', chain: ['bad'] }]);
  });

  test('startActions: with two failed dependencies, the first in depends_on order is named', () => {
    const views = viewsOf(view('x', 'fatal'), view('y', 'exited'), view('web', 'waiting', ['y', 'x']));
    assert.deepEqual(startActions(views), [{ kind: 'block', name: 'web', chain: ['y'] }]);
  });

  test('startActions: starts and blocks come in the map order, mixed', () => {
    const views = viewsOf(view('dead', 'fatal'), view('p', 'waiting', ['dead']), view('q', 'waiting'), view('r', 'waiting', ['q']));
    assert.deepEqual(startActions(views), [
      { kind: 'block', name: 'p', chain: ['dead'] },
      { kind: 'start', name: 'q' },
    ]);
  });

  test('startActions: a dependency not in the map is not waited for (validation already rejected it)', () => {
    assert.deepEqual(startActions(viewsOf(view('web', 'waiting', ['ghost']))), [{ kind: 'start', name: 'web' }]);
  });
});
