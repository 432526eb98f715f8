// replicas (issue 19, item 3) in the supervisor's pure decisions: a group's name stands for
// its instances, what depends on the group comes along only with all of them, a reload
// that changes only the count starts or stops only the difference, and the rolling
// restart's order, readiness and bound.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceConfig } from '../../src/config/service-config.js';
import { withDependencies, withDependents, type PlanNode } from '../../src/supervisor/operator-plan.js';
import { diffServices } from '../../src/supervisor/reload-diff.js';
import { planReload, type ReloadNode } from '../../src/supervisor/reload-plan.js';
import { expandNames, groupsOf } from '../../src/supervisor/replica-groups.js';
import { DEFAULT_READY_BOUND_MS, readinessOf, readyBoundMs, rollingOrder } from '../../src/supervisor/rolling-restart.js';
import type { ServiceState } from '../../src/supervisor/states.js';
import { serviceConfig } from '../helpers/service-config.js';

// Instance `index` of `group`, `count` of them, as the loader makes it.
function instance(group: string, index: number, count: number, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  const name = `${group}-${index}`;
  return serviceConfig(name, {
    environment: { CORRAL_REPLICA: String(index), CORRAL_REPLICAS: String(count) },
    replica: { of: group, index, count },
    ...overrides,
  });
}

function instances(group: string, count: number, overrides: Partial<ServiceConfig> = {}): ServiceConfig[] {
  return Array.from({ length: count }, (_, index) => instance(group, index, count, overrides));
}

function node(name: string, depends_on: string[] = [], state: ServiceState = 'running'): PlanNode {
  return { name, type: 'longrun', depends_on, state };
}

function workerNodes(count: number, state: ServiceState = 'running'): PlanNode[] {
  return Array.from({ length: count }, (_, index) => ({ ...node(`worker-${index}`, [], state), replica: { of: 'worker', index } }));
}

describe('groups', () => {
  test("a group's instances in index order, 10 after 9", () => {
    const groups = groupsOf([...instances('worker', 11)].reverse());
    assert.deepEqual(
      groups.get('worker'),
      Array.from({ length: 11 }, (_, index) => `worker-${index}`),
    );
  });

  test("a group's name stands for its instances; any other name for itself", () => {
    const groups = groupsOf(instances('worker', 2));
    assert.deepEqual(expandNames(['db', 'worker', 'worker-1'], groups), ['db', 'worker-0', 'worker-1', 'worker-1']);
  });
});

describe('withDependents with replicas', () => {
  const nodes = [...workerNodes(3), node('web', ['worker']), node('leader', ['worker-0']), node('proxy', ['web'])];

  test('one instance: only what names that instance comes along', () => {
    assert.deepEqual(withDependents(['worker-1'], nodes), ['worker-1']);
    assert.deepEqual(withDependents(['worker-0'], nodes), ['leader', 'worker-0']);
  });

  test('every instance: what depends on the group comes along, dependents first', () => {
    assert.deepEqual(withDependents(['worker-0', 'worker-1', 'worker-2'], nodes), ['proxy', 'web', 'leader', 'worker-0', 'worker-1', 'worker-2']);
  });

  test('a group of one instance: its dependents come along with it', () => {
    const one = [...workerNodes(1), node('web', ['worker'])];
    assert.deepEqual(withDependents(['worker-0'], one), ['web', 'worker-0']);
  });
});

describe('withDependencies with replicas', () => {
  test('starting what depends on the group starts the instances that are down', () => {
    const nodes = [
      ...workerNodes(3).map((entry, index): PlanNode => ({ ...entry, state: index === 1 ? 'stopped' : 'running' })),
      node('web', ['worker'], 'stopped'),
    ];
    assert.deepEqual(withDependencies(['web'], nodes), ['worker-1', 'web']);
  });
});

describe('reload with replicas', () => {
  const web = serviceConfig('web', { depends_on: ['worker'] });

  test('3 to 5: worker-3 and worker-4 are added; worker-0..2 and their dependent are unchanged', () => {
    const diff = diffServices([...instances('worker', 3), web], [...instances('worker', 5), web]);
    assert.deepEqual(
      diff.added.map((config) => config.name),
      ['worker-3', 'worker-4'],
    );
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.changed, []);
    assert.deepEqual(
      diff.unchanged.map((config) => config.name),
      ['worker-0', 'worker-1', 'worker-2', 'web'],
    );
  });

  test('5 to 3: worker-3 and worker-4 are removed; the rest is unchanged', () => {
    const diff = diffServices([...instances('worker', 5), web], [...instances('worker', 3), web]);
    assert.deepEqual(
      diff.removed.map((config) => config.name),
      ['worker-3', 'worker-4'],
    );
    assert.deepEqual([...diff.added, ...diff.changed], []);
  });

  test('a value made with ${CORRAL_REPLICAS} differs with the count, and so restarts the instance', () => {
    const before = instances('worker', 3, { argv: ['worker', '--of', '3'] });
    const after = instances('worker', 5, { argv: ['worker', '--of', '5'] });
    assert.deepEqual(
      diffServices(before, after).changed.map((config) => config.name),
      ['worker-0', 'worker-1', 'worker-2'],
    );
  });

  test('CORRAL_REPLICAS set by a service without replicas is a setting like any other', () => {
    const plain = (count: string): ServiceConfig => serviceConfig('web', { environment: { CORRAL_REPLICAS: count } });
    assert.deepEqual(
      diffServices([plain('3')], [plain('5')]).changed.map((config) => config.name),
      ['web'],
    );
  });

  test('a changed group restarts what depends on it; a changed instance alone does not', () => {
    const nodes: ReloadNode[] = [...workerNodes(2), node('web', ['worker'])].map((entry) => ({ ...entry, main: false }));
    const current = [...instances('worker', 2), web];
    const changedAll = diffServices(current, [...instances('worker', 2, { argv: ['v2'] }), web]);
    assert.deepEqual(
      planReload(changedAll, nodes).restart.map((entry) => entry.name),
      ['web'],
    );
    const changedOne = diffServices(current, [instance('worker', 0, 2, { argv: ['v2'] }), instance('worker', 1, 2), web]);
    assert.deepEqual(planReload(changedOne, nodes).restart, []);
  });

  test('a change with a lower count, or replicas taken out, restarts what depends on the group, and names the group', () => {
    const nodes: ReloadNode[] = [...workerNodes(3), node('web', ['worker'])].map((entry) => ({ ...entry, main: false }));
    const current = [...instances('worker', 3), web];
    const lower = diffServices(current, [...instances('worker', 2, { argv: ['v2'] }), web]);
    assert.deepEqual(planReload(lower, nodes).restart, [{ name: 'web', dependsOn: ['worker'] }]);
    const takenOut = diffServices(current, [serviceConfig('worker'), web]);
    assert.deepEqual(planReload(takenOut, nodes).restart, [{ name: 'web', dependsOn: ['worker'] }]);
    // The count alone: the instances that stay serve web on.
    const countOnly = diffServices(current, [...instances('worker', 2), web]);
    assert.deepEqual(planReload(countOnly, nodes).restart, []);
  });
});

describe('rolling restart', () => {
  test('instances that are not ready go first, then the ready ones, each in index order', () => {
    const states: ServiceState[] = ['running', 'backoff', 'running', 'fatal'];
    const order = rollingOrder(states.map((state, index) => ({ name: `worker-${index}`, type: 'longrun', state })));
    assert.deepEqual(order, ['worker-1', 'worker-3', 'worker-0', 'worker-2']);
  });

  test('an instance is back once ready, failed once it will not be without someone acting, else pending', () => {
    assert.equal(readinessOf('longrun', 'running'), 'ready');
    assert.equal(readinessOf('oneshot', 'exited'), 'ready');
    for (const state of ['starting', 'waiting', 'backoff', 'stopping'] as const) assert.equal(readinessOf('longrun', state), 'pending', state);
    for (const state of ['fatal', 'blocked', 'exited', 'stopped'] as const) assert.equal(readinessOf('longrun', state), 'failed', state);
    assert.equal(readinessOf('oneshot', 'starting'), 'pending');
  });

  test('each instance is waited for up to its ready.timeout, a oneshot its timeout, else the default', () => {
    const ready = { spec: { kind: 'notify' as const }, intervalMs: 200, timeoutMs: 7000 };
    assert.equal(readyBoundMs({ type: 'longrun', ready }), 7000);
    assert.equal(readyBoundMs({ type: 'longrun' }), DEFAULT_READY_BOUND_MS);
    assert.equal(readyBoundMs({ type: 'oneshot', timeoutMs: 9000 }), 9000);
    assert.equal(readyBoundMs({ type: 'oneshot' }), DEFAULT_READY_BOUND_MS);
  });
});
