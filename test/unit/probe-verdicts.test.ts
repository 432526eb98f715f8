import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { healthProblems, readyProblems } from '../../src/control/probe-verdicts.js';
import type { LastExit, ServiceSnapshot, SupervisorSnapshot } from '../../src/control/snapshot.js';
import type { ServiceType } from '../../src/config/service-config.js';
import type { ServiceState } from '../../src/supervisor/states.js';
import { serviceSnapshot } from '../helpers/snapshots.js';
import { isSatisfied, STATES } from '../../src/supervisor/states.js';

const EXIT_2: LastExit = { description: 'exited with code 2', code: 2, signal: null };
const KILLED: LastExit = { description: 'was killed by SIGKILL', code: null, signal: 'SIGKILL' };

// A service snapshot: a longrun in `state`, ready when running, nothing recorded; `extra` overrides.
function service(name: string, state: ServiceState, extra: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  const type: ServiceType = extra.type ?? 'longrun';
  return serviceSnapshot(name, {
    type,
    state,
    ready: isSatisfied(type, state),
    pid: state === 'starting' || state === 'running' || state === 'stopping' ? 100 : null,
    ...extra,
  });
}

function snapshot(services: ServiceSnapshot[], phase: SupervisorSnapshot['phase'] = 'running'): SupervisorSnapshot {
  return { at: 10_000, phase, version: '0.1.0', startedAt: 1_000, orphansReaped: 0, services };
}

describe('readyProblems', () => {
  test('every longrun running and every oneshot exited: ready, no problems', () => {
    const snap = snapshot([service('web', 'running'), service('migrate', 'exited', { type: 'oneshot' })]);
    assert.deepEqual(readyProblems(snap), []);
  });

  test('a scheduled service is ready while its schedule is armed, between runs and during one', () => {
    const snap = snapshot([service('report', 'scheduled', { type: 'scheduled' }), service('backup', 'running', { type: 'scheduled' })]);
    assert.deepEqual(readyProblems(snap), []);
    assert.deepEqual(readyProblems(snapshot([service('report', 'waiting', { type: 'scheduled' })])), [
      'report is not ready: it is waiting for its dependencies',
    ]);
  });

  test('no services at all is ready', () => {
    assert.deepEqual(readyProblems(snapshot([])), []);
  });

  // [state, lastExit, problem, expected message] for a longrun named web, not ready.
  const table: [ServiceState, LastExit | null, string | null, string][] = [
    ['stopped', null, null, 'web is not ready: it is stopped'],
    ['waiting', null, null, 'web is not ready: it is waiting for its dependencies'],
    // Waiting and starting say nothing of a previous run: it is not why they are not ready.
    ['waiting', EXIT_2, null, 'web is not ready: it is waiting for its dependencies'],
    ['starting', EXIT_2, null, 'web is not ready: it is starting (not ready yet)'],
    ['starting', null, null, 'web is not ready: it is starting (not ready yet)'],
    ['blocked', null, 'depends on db, which is fatal', 'web is not ready: it is blocked (depends on db, which is fatal)'],
    ['backoff', KILLED, null, 'web is not ready: it is in backoff (it was killed by SIGKILL)'],
    ['backoff', null, null, 'web is not ready: it is in backoff'],
    ['stopping', null, null, 'web is not ready: it is stopping'],
    ['exited', EXIT_2, null, 'web is not ready: it has exited (exited with code 2)'],
    // Stopping says nothing of the previous run either.
    ['stopping', EXIT_2, null, 'web is not ready: it is stopping'],
    // The problem is the better explanation and wins over the last exit.
    ['fatal', EXIT_2, 'gave up after 3 restarts', 'web is not ready: it is fatal (gave up after 3 restarts)'],
    ['fatal', EXIT_2, null, 'web is not ready: it is fatal (exited with code 2)'],
  ];

  for (const [state, lastExit, problem, expected] of table) {
    test(`a longrun that is ${state}${lastExit ? `, last ${lastExit.description}` : ''}${problem ? ', with a problem' : ''}: "${expected}"`, () => {
      assert.deepEqual(readyProblems(snapshot([service('web', state, { lastExit, problem })])), [expected]);
    });
  }

  test('a oneshot that exited (succeeded) is ready; one still running (starting) is not', () => {
    const done = service('migrate', 'exited', { type: 'oneshot', lastExit: { description: 'exited with code 0', code: 0, signal: null } });
    assert.deepEqual(readyProblems(snapshot([done])), []);
    assert.deepEqual(readyProblems(snapshot([service('migrate', 'starting', { type: 'oneshot' })])), ['migrate is not ready: it is starting (not ready yet)']);
  });

  test('a oneshot that failed is not ready', () => {
    const failed = service('migrate', 'fatal', { type: 'oneshot', lastExit: EXIT_2 });
    assert.deepEqual(readyProblems(snapshot([failed])), ['migrate is not ready: it is fatal (exited with code 2)']);
  });

  test('the verdict follows the ready flag, not the state', () => {
    // A longrun whose readiness check has not passed yet.
    assert.deepEqual(readyProblems(snapshot([service('web', 'running', { ready: false })])), ['web is not ready: it is running']);
  });

  test('a service stopped with corral stop does not count, in any state', () => {
    for (const state of STATES) {
      const stopped = service('web', state, { stoppedByOperator: true, ready: false, lastExit: EXIT_2 });
      assert.deepEqual(readyProblems(snapshot([stopped])), [], state);
    }
  });

  test('one message per service that is not ready, in snapshot order, the ready ones left out', () => {
    const snap = snapshot([
      service('db', 'running'),
      service('web', 'backoff', { lastExit: EXIT_2 }),
      service('cron', 'stopped', { stoppedByOperator: true }),
      service('worker', 'waiting'),
    ]);
    assert.deepEqual(readyProblems(snap), [
      'web is not ready: it is in backoff (it exited with code 2)',
      'worker is not ready: it is waiting for its dependencies',
    ]);
  });

  for (const phase of ['stopping', 'forced'] as const) {
    test(`in the ${phase} phase, "corral is shutting down" comes first`, () => {
      assert.deepEqual(readyProblems(snapshot([service('web', 'running')], phase)), ['corral is shutting down']);
      assert.deepEqual(readyProblems(snapshot([service('web', 'stopping')], phase)), ['corral is shutting down', 'web is not ready: it is stopping']);
    });
  }
});

describe('healthProblems', () => {
  test('everything running, or on its way, is healthy', () => {
    const snap = snapshot([
      service('web', 'running'),
      service('db', 'starting'),
      service('worker', 'waiting'),
      service('cron', 'stopped'),
      service('old', 'stopping'),
      service('migrate', 'exited', { type: 'oneshot' }),
    ]);
    assert.deepEqual(healthProblems(snap), []);
  });

  // [type, state, lastExit, problem, expected problems] for a service named web.
  const table: [ServiceType, ServiceState, LastExit | null, string | null, string[]][] = [
    ['longrun', 'stopped', EXIT_2, null, []],
    ['longrun', 'waiting', EXIT_2, null, []],
    ['longrun', 'starting', EXIT_2, null, []],
    ['longrun', 'running', EXIT_2, null, []],
    ['longrun', 'stopping', EXIT_2, null, []],
    ['longrun', 'scheduled', EXIT_2, null, []],
    ['longrun', 'fatal', EXIT_2, 'gave up after 3 restarts', ['web is fatal: gave up after 3 restarts']],
    ['longrun', 'fatal', EXIT_2, null, ['web is fatal: exited with code 2']],
    ['longrun', 'fatal', null, null, ['web is fatal: failed']],
    ['longrun', 'blocked', null, 'depends on db, which is fatal', ['web is blocked: depends on db, which is fatal']],
    ['longrun', 'blocked', KILLED, null, ['web is blocked: was killed by SIGKILL']],
    ['longrun', 'blocked', null, null, ['web is blocked: failed']],
    ['longrun', 'backoff', KILLED, null, ['web is in backoff: it was killed by SIGKILL and is waiting to be restarted']],
    ['longrun', 'backoff', null, null, ['web is in backoff: it ended and is waiting to be restarted']],
    ['longrun', 'exited', EXIT_2, null, ['web has exited (exited with code 2) and will not be restarted']],
    ['longrun', 'exited', null, null, ['web has exited (no exit recorded) and will not be restarted']],
    // A oneshot that exited succeeded: that is its job.
    ['oneshot', 'exited', { description: 'exited with code 0', code: 0, signal: null }, null, []],
    ['oneshot', 'starting', null, null, []],
    ['oneshot', 'stopped', null, null, []],
    ['oneshot', 'fatal', EXIT_2, null, ['web is fatal: exited with code 2']],
    ['oneshot', 'backoff', EXIT_2, null, ['web is in backoff: it exited with code 2 and is waiting to be restarted']],
    // A failed scheduled run fails nothing: the service is back on its schedule.
    ['scheduled', 'scheduled', EXIT_2, null, []],
    ['scheduled', 'running', EXIT_2, null, []],
    // With on_failure: shutdown a failed run makes it fatal (and stops the container).
    ['scheduled', 'fatal', EXIT_2, null, ['web is fatal: exited with code 2']],
  ];

  test('the table covers every state of a longrun', () => {
    assert.deepEqual(new Set(table.filter(([type]) => type === 'longrun').map(([, state]) => state)), new Set(STATES));
  });

  for (const [type, state, lastExit, problem, expected] of table) {
    const detail = `${lastExit ? `, last ${lastExit.description}` : ''}${problem ? ', with a problem' : ''}`;
    test(`a ${type} that is ${state}${detail}: ${expected.length === 0 ? 'healthy' : `"${expected[0]}"`}`, () => {
      assert.deepEqual(healthProblems(snapshot([service('web', state, { type, lastExit, problem })])), expected);
    });
  }

  test('a service stopped with corral stop does not count, even fatal or exited', () => {
    for (const state of STATES) {
      const stopped = service('web', state, { stoppedByOperator: true, lastExit: EXIT_2, problem: 'gave up' });
      assert.deepEqual(healthProblems(snapshot([stopped])), [], state);
    }
  });

  test('one message per failed service, in snapshot order', () => {
    const snap = snapshot([
      service('db', 'fatal', { problem: 'gave up after 3 restarts' }),
      service('web', 'running'),
      service('api', 'blocked', { problem: 'depends on db, which is fatal' }),
      service('worker', 'backoff', { lastExit: EXIT_2 }),
    ]);
    assert.deepEqual(healthProblems(snap), [
      'db is fatal: gave up after 3 restarts',
      'api is blocked: depends on db, which is fatal',
      'worker is in backoff: it exited with code 2 and is waiting to be restarted',
    ]);
  });

  for (const phase of ['stopping', 'forced'] as const) {
    test(`in the ${phase} phase, "corral is shutting down" comes first`, () => {
      assert.deepEqual(healthProblems(snapshot([service('web', 'running')], phase)), ['corral is shutting down']);
      assert.deepEqual(healthProblems(snapshot([service('web', 'fatal', { lastExit: KILLED })], phase)), [
        'corral is shutting down',
        'web is fatal: was killed by SIGKILL',
      ]);
    });
  }

  test('in the running phase there is no shutdown message', () => {
    assert.deepEqual(healthProblems(snapshot([])), []);
  });
});
