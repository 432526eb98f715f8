// Watchdog with fake timers: each test fires the pending timer by hand, so "30s passed"
// takes no time and no test depends on the machine's speed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Watchdog,
  describeWatchdogFailure,
  watchdogEnvironment,
  watchdogUsecToMs,
  type WatchdogFailure,
  type WatchdogOptions,
} from '../../src/readiness/watchdog.js';
import { fakeTimers } from '../helpers/fake-timers.js';

function watchdogWith(extra: Partial<WatchdogOptions> = {}) {
  const timers = fakeTimers();
  const failures: WatchdogFailure[] = [];
  const watchdog = new Watchdog({
    timeoutMs: 30_000,
    onFailure: (failure) => failures.push(failure),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    ...extra,
  });
  return { watchdog, timers, failures };
}

describe('Watchdog', () => {
  test('is not armed until start(): pings while starting mean nothing', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.ping();
    assert.equal(watchdog.armed, false);
    assert.deepEqual(timers.delays(), []);
    watchdog.start();
    assert.equal(watchdog.armed, true);
    assert.deepEqual(timers.delays(), [30_000]);
    assert.deepEqual(failures, []);
  });

  test('a missed deadline is a timeout, reported once, and the watchdog is done', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.start();
    timers.fire();
    assert.deepEqual(failures, [{ kind: 'timeout', timeoutMs: 30_000 }]);
    assert.equal(watchdog.armed, false);
    assert.deepEqual(timers.delays(), [], 'no timer is left behind');
    watchdog.ping();
    watchdog.trigger();
    assert.equal(failures.length, 1);
  });

  test('each WATCHDOG=1 starts a new deadline', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.start();
    for (let ping = 0; ping < 5; ping++) {
      const before = [...timers.pending.keys()];
      watchdog.ping();
      // Fake timers do not move the clock: a new deadline shows as a new timer.
      assert.equal(timers.pending.size, 1, 'one timer, the newest');
      assert.notDeepEqual([...timers.pending.keys()], before, 'the old deadline was replaced');
      assert.deepEqual(timers.delays(), [30_000]);
    }
    assert.deepEqual(failures, []);
    timers.fire();
    assert.equal(failures.length, 1);
  });

  test('a ping waiting on the socket when the deadline passes still counts', () => {
    let flushes = 0;
    const { watchdog, timers, failures } = watchdogWith({
      flush: () => {
        flushes += 1;
        watchdog.ping();
      },
    });
    watchdog.start();
    timers.fire();
    assert.equal(flushes, 1);
    assert.deepEqual(failures, []);
    assert.deepEqual(timers.delays(), [30_000], 're-armed by the late ping');
  });

  test('a flush that finds nothing: the timeout stands', () => {
    let flushes = 0;
    const { watchdog, timers, failures } = watchdogWith({ flush: () => (flushes += 1) });
    watchdog.start();
    timers.fire();
    assert.equal(flushes, 1);
    assert.deepEqual(failures, [{ kind: 'timeout', timeoutMs: 30_000 }]);
  });

  test('WATCHDOG=trigger fails it at once, armed or still starting', () => {
    const armed = watchdogWith();
    armed.watchdog.start();
    armed.watchdog.trigger();
    assert.deepEqual(armed.failures, [{ kind: 'trigger' }]);
    assert.deepEqual(armed.timers.delays(), []);

    const starting = watchdogWith();
    starting.watchdog.trigger();
    assert.deepEqual(starting.failures, [{ kind: 'trigger' }]);
    starting.watchdog.start();
    assert.deepEqual(starting.timers.delays(), [], 'a failed watchdog is not armed again');
  });

  test('a trigger read by the flush at the deadline is reported as the trigger', () => {
    const { watchdog, timers, failures } = watchdogWith({ flush: () => watchdog.trigger() });
    watchdog.start();
    timers.fire();
    assert.deepEqual(failures, [{ kind: 'trigger' }]);
  });

  test('WATCHDOG_USEC sets a new timeout from now', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.start();
    watchdog.setTimeout(5000);
    assert.deepEqual(timers.delays(), [5000]);
    watchdog.ping();
    assert.deepEqual(timers.delays(), [5000], 'pings keep the new timeout');
    timers.fire();
    assert.deepEqual(failures, [{ kind: 'timeout', timeoutMs: 5000 }]);
  });

  test('WATCHDOG_USEC before start() is the timeout start() arms with', () => {
    const { watchdog, timers } = watchdogWith();
    watchdog.setTimeout(2000);
    assert.deepEqual(timers.delays(), []);
    watchdog.start();
    assert.deepEqual(timers.delays(), [2000]);
  });

  test('WATCHDOG_USEC=0 turns it off; a later one turns it on again', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.start();
    watchdog.setTimeout(0);
    assert.deepEqual(timers.delays(), []);
    watchdog.ping();
    assert.deepEqual(timers.delays(), [], 'a ping does not arm a watchdog turned off');
    watchdog.setTimeout(1000);
    assert.deepEqual(timers.delays(), [1000]);
    timers.fire();
    assert.deepEqual(failures, [{ kind: 'timeout', timeoutMs: 1000 }]);
  });

  test('turned off by the flush at the deadline: no timeout', () => {
    const { watchdog, timers, failures } = watchdogWith({ flush: () => watchdog.setTimeout(0) });
    watchdog.start();
    timers.fire();
    assert.deepEqual(failures, []);
    assert.deepEqual(timers.delays(), []);
  });

  test('a timeout longer than a timer can wait is waited out in steps', () => {
    const days30 = 30 * 24 * 3_600_000;
    const { watchdog, timers, failures } = watchdogWith({ timeoutMs: days30 });
    watchdog.start();
    assert.deepEqual(timers.delays(), [2 ** 31 - 1]);
    timers.fire();
    assert.deepEqual(failures, [], 'the first step is not the deadline');
    assert.deepEqual(timers.delays(), [days30 - (2 ** 31 - 1)]);
    timers.fire();
    assert.deepEqual(failures, [{ kind: 'timeout', timeoutMs: days30 }]);
  });

  test('stop(): no timer is left and nothing is reported afterwards', () => {
    const { watchdog, timers, failures } = watchdogWith();
    watchdog.start();
    watchdog.stop();
    watchdog.stop();
    assert.deepEqual(timers.delays(), []);
    watchdog.trigger();
    watchdog.setTimeout(10);
    watchdog.start();
    assert.deepEqual(failures, []);
    assert.deepEqual(timers.delays(), []);
  });

  test('with real timers: an unpinged watchdog times out', async () => {
    // The watchdog's own timer is unref'd: this one keeps the test's event loop alive.
    const keepAlive = setTimeout(() => undefined, 5000);
    const failure = await new Promise<WatchdogFailure>((resolve) => new Watchdog({ timeoutMs: 20, onFailure: resolve }).start());
    clearTimeout(keepAlive);
    assert.deepEqual(failure, { kind: 'timeout', timeoutMs: 20 });
  });
});

describe('watchdog helpers', () => {
  test('describeWatchdogFailure', () => {
    assert.equal(describeWatchdogFailure({ kind: 'timeout', timeoutMs: 30_000 }), 'watchdog timeout: no WATCHDOG=1 for 30s');
    assert.equal(describeWatchdogFailure({ kind: 'timeout', timeoutMs: 500 }), 'watchdog timeout: no WATCHDOG=1 for 500ms');
    assert.equal(describeWatchdogFailure({ kind: 'trigger' }), 'watchdog triggered: it sent WATCHDOG=trigger');
  });

  test('watchdogUsecToMs rounds up, so a positive value never means off', () => {
    assert.equal(watchdogUsecToMs(30_000_000), 30_000);
    assert.equal(watchdogUsecToMs(1), 1);
    assert.equal(watchdogUsecToMs(1500), 2);
    assert.equal(watchdogUsecToMs(0), 0);
  });

  test('watchdogEnvironment: WATCHDOG_USEC in microseconds, an inherited WATCHDOG_PID removed', () => {
    const env = watchdogEnvironment({ PATH: '/bin', WATCHDOG_PID: '1', WATCHDOG_USEC: '5' }, 1500);
    assert.deepEqual(env, { PATH: '/bin', WATCHDOG_USEC: '1500000' });
  });
});
