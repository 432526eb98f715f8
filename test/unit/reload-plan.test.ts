import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeKept, describeRestarts, planReload, summarizeReload, type ReloadNode, type ReloadPlan } from '../../src/supervisor/reload-plan.js';
import { diffServices } from '../../src/supervisor/reload-diff.js';
import type { ServiceConfig, ServiceType } from '../../src/config/service-config.js';
import type { ServiceState } from '../../src/supervisor/states.js';
import { serviceConfig } from '../helpers/service-config.js';

interface Spec {
  depends_on?: string[];
  type?: ServiceType;
  main?: boolean;
  state?: ServiceState;
}

// The services as they run (`specs`), and the plan for a reload that changes `changed`:
// their new files differ in argv only, everything else is unchanged.
function plan(specs: Record<string, Spec>, changed: string[]): ReloadPlan {
  const config = (name: string, spec: Spec, argv: ServiceConfig['argv'] = [name]): ServiceConfig =>
    serviceConfig(name, { depends_on: spec.depends_on ?? [], type: spec.type ?? 'longrun', main: spec.main ?? false, argv });
  const entries = Object.entries(specs);
  const current = entries.map(([name, spec]) => config(name, spec));
  const next = entries.map(([name, spec]) => config(name, spec, changed.includes(name) ? [name, '--v2'] : [name]));
  const nodes: ReloadNode[] = entries.map(([name, spec]) => ({
    name,
    type: spec.type ?? 'longrun',
    depends_on: spec.depends_on ?? [],
    main: spec.main ?? false,
    state: spec.state ?? (spec.type === 'oneshot' ? 'exited' : 'running'),
  }));
  return planReload(diffServices(current, next), nodes);
}

const restarted = (result: ReloadPlan): string[] => result.restart.map((entry) => entry.name);
const kept = (result: ReloadPlan): string[] => result.kept.map((entry) => `${entry.name}: ${entry.why}`);

describe('planReload', () => {
  test('nothing changed: nothing restarts', () => {
    assert.deepEqual(plan({ db: {}, web: { depends_on: ['db'] } }, []), { restart: [], kept: [] });
  });

  test('a changed service with no dependents restarts alone; its dependencies are left running', () => {
    assert.deepEqual(plan({ db: {}, web: { depends_on: ['db'] }, other: {} }, ['web']), { restart: [], kept: [] });
  });

  test('the dependents of a changed service restart, dependents first', () => {
    const result = plan({ db: {}, web: { depends_on: ['db'] }, worker: { depends_on: ['db'] }, other: {} }, ['db']);
    assert.deepEqual(result.restart, [
      { name: 'web', dependsOn: ['db'] },
      { name: 'worker', dependsOn: ['db'] },
    ]);
    assert.deepEqual(result.kept, []);
  });

  test('indirect dependents restart too, each after what depends on it', () => {
    const result = plan({ db: {}, api: { depends_on: ['db'] }, web: { depends_on: ['api'] } }, ['db']);
    assert.deepEqual(restarted(result), ['web', 'api']);
    assert.deepEqual(result.restart[0], { name: 'web', dependsOn: ['db'] });
  });

  test('a dependent that changed itself is restarted by the diff, not listed; what depends on it is', () => {
    const result = plan({ db: {}, api: { depends_on: ['db'] }, web: { depends_on: ['api'] } }, ['db', 'api']);
    assert.deepEqual(result.restart, [{ name: 'web', dependsOn: ['db', 'api'] }]);
  });

  test('each dependent names the changed services it depends on', () => {
    const result = plan({ db: {}, cache: {}, web: { depends_on: ['db', 'cache'] }, worker: { depends_on: ['cache'] } }, ['db', 'cache']);
    assert.deepEqual(result.restart, [
      { name: 'web', dependsOn: ['db', 'cache'] },
      { name: 'worker', dependsOn: ['cache'] },
    ]);
  });

  test('a service stopped with corral stop stays stopped', () => {
    const result = plan({ db: {}, web: { depends_on: ['db'], state: 'stopped' }, worker: { depends_on: ['db'] } }, ['db']);
    assert.deepEqual(restarted(result), ['worker']);
    assert.deepEqual(result.kept, [{ name: 'web', dependsOn: ['db'], why: 'stopped' }]);
  });

  test('a oneshot that depends on the changed service and succeeded is not run again; what depends on it restarts', () => {
    const result = plan({ db: {}, migrate: { type: 'oneshot', depends_on: ['db'] }, web: { depends_on: ['migrate'] } }, ['db']);
    assert.deepEqual(restarted(result), ['web']);
    assert.deepEqual(result.kept, [{ name: 'migrate', dependsOn: ['db'], why: 'done' }]);
  });

  test('a oneshot that is a dependency of the changed service is left alone', () => {
    const result = plan({ migrate: { type: 'oneshot' }, web: { depends_on: ['migrate'] } }, ['web']);
    assert.deepEqual(result, { restart: [], kept: [] });
  });

  // A fixed dependency is their chance to run again, as with corral restart.
  for (const [state, type] of [
    ['fatal', 'oneshot'],
    ['blocked', 'oneshot'],
    ['starting', 'oneshot'],
    ['fatal', 'longrun'],
    ['blocked', 'longrun'],
    ['exited', 'longrun'],
    ['backoff', 'longrun'],
    ['waiting', 'longrun'],
  ] as const) {
    test(`a ${type} dependent that is ${state} restarts`, () => {
      assert.deepEqual(restarted(plan({ db: {}, job: { type, depends_on: ['db'], state } }, ['db'])), ['job']);
    });
  }

  test('the main service is never restarted by a reload: kept, with its dependency restarted alone', () => {
    const result = plan({ db: {}, app: { depends_on: ['db'], main: true } }, ['db']);
    assert.deepEqual(result, { restart: [], kept: [{ name: 'app', dependsOn: ['db'], why: 'main' }] });
  });

  test('the main service is kept when an indirect dependency changes, and the walk stops at it', () => {
    const result = plan({ db: {}, api: { depends_on: ['db'] }, app: { depends_on: ['api'], main: true }, sidecar: { depends_on: ['app'] } }, ['db']);
    assert.deepEqual(restarted(result), ['api']);
    assert.deepEqual(kept(result), ['app: main']);
  });

  test('what depends on the main service and on a changed one restarts', () => {
    const result = plan({ db: {}, app: { depends_on: ['db'], main: true }, sidecar: { depends_on: ['app', 'db'] } }, ['db']);
    assert.deepEqual(restarted(result), ['sidecar']);
    assert.deepEqual(kept(result), ['app: main']);
  });

  test('a changed main service is restarted by the diff, and its dependents with it', () => {
    const result = plan({ app: { main: true }, sidecar: { depends_on: ['app'] } }, ['app']);
    assert.deepEqual(result, { restart: [{ name: 'sidecar', dependsOn: ['app'] }], kept: [] });
  });

  test('the main service of corral -- CMD depends on nothing explicitly, so it is not even mentioned', () => {
    assert.deepEqual(plan({ db: {}, main: { main: true } }, ['db']), { restart: [], kept: [] });
  });

  test('added and removed services bring no dependent restarts', () => {
    const current = [serviceConfig('db'), serviceConfig('old')];
    const next = [serviceConfig('db'), serviceConfig('new', { depends_on: ['db'] })];
    const nodes: ReloadNode[] = current.map((config) => ({ name: config.name, type: 'longrun', depends_on: [], main: false, state: 'running' }));
    assert.deepEqual(planReload(diffServices(current, next), nodes), { restart: [], kept: [] });
  });
});

describe('describeRestarts', () => {
  test('one group, plural and singular', () => {
    assert.equal(
      describeRestarts(plan({ db: {}, web: { depends_on: ['db'] }, worker: { depends_on: ['db'] } }, ['db'])),
      'restarting web, worker (they depend on db)',
    );
    assert.equal(describeRestarts(plan({ db: {}, web: { depends_on: ['db'] } }, ['db'])), 'restarting web (it depends on db)');
  });

  test('dependents of different changed services, grouped', () => {
    const result = plan({ db: {}, cache: {}, web: { depends_on: ['db'] }, worker: { depends_on: ['cache'] }, api: { depends_on: ['db'] } }, ['db', 'cache']);
    assert.equal(describeRestarts(result), 'restarting web, api (they depend on db); restarting worker (it depends on cache)');
  });

  test('nothing to restart: empty', () => {
    assert.equal(describeRestarts({ restart: [], kept: [] }), '');
  });
});

describe('summarizeReload', () => {
  const specs = { db: {}, web: { depends_on: ['db'] }, worker: { depends_on: ['db'] }, other: {} };
  const diff = (changed: string[]) =>
    diffServices(
      Object.keys(specs).map((name) => serviceConfig(name)),
      Object.keys(specs).map((name) => serviceConfig(name, { argv: changed.includes(name) ? [name, '--v2'] : [name] })),
    );

  test('the counts, the services the diff touches, then the dependents restarted', () => {
    assert.equal(
      summarizeReload({ diff: diff(['db']), plan: plan(specs, ['db']) }),
      '0 added, 0 removed, 1 changed, 3 unchanged (db); restarting web, worker (they depend on db)',
    );
  });

  test('without dependents to restart, as before', () => {
    assert.equal(summarizeReload({ diff: diff(['other']), plan: plan(specs, ['other']) }), '0 added, 0 removed, 1 changed, 3 unchanged (other)');
  });
});

describe('describeKept', () => {
  test('the main service is a warning; stopped services and finished oneshots are information', () => {
    const result = plan(
      {
        db: {},
        app: { depends_on: ['db'], main: true },
        web: { depends_on: ['db'], state: 'stopped' },
        migrate: { type: 'oneshot', depends_on: ['db'] },
      },
      ['db'],
    );
    assert.deepEqual(describeKept(result), [
      { level: 'warn', text: 'app was not restarted, though it depends on db: a reload never restarts the main service (corral restart app does)' },
      { level: 'info', text: 'web stays stopped, though it depends on db (corral start web starts it)' },
      { level: 'info', text: 'migrate is not run again, though it depends on db: it is a oneshot that succeeded (corral restart migrate runs it again)' },
    ]);
  });
});
