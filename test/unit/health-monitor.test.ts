// HealthMonitor with fake timers: each test fires the pending timer by hand.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HealthMonitor, type HealthMonitorOptions } from '../../src/readiness/health-monitor.js';
import type { ProbeResult } from '../../src/readiness/probe-result.js';
import { fakeTimers as sharedFakeTimers } from '../helpers/fake-timers.js';

const deadline = { timeout: 5000 };

// The shared fake timers, with a fire that also lets the check's promise settle.
function fakeTimers() {
  const timers = sharedFakeTimers();
  return {
    ...timers,
    fire: async (): Promise<void> => {
      timers.fire();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const fail = (detail: string): ProbeResult => ({ ok: false, detail });
const pass: ProbeResult = { ok: true, detail: 'HTTP 200 from http://127.0.0.1/healthz' };

function monitorWith(results: ProbeResult[], extra: Partial<HealthMonitorOptions> = {}) {
  const timers = fakeTimers();
  const events: string[] = [];
  let calls = 0;
  const monitor = new HealthMonitor({
    check: () => Promise.resolve(results[Math.min(calls++, results.length - 1)]!),
    intervalMs: 1000,
    retries: 3,
    onUnhealthy: (detail, failures) => events.push(`unhealthy ${failures}: ${detail}`),
    onRecovered: (failures) => events.push(`recovered after ${failures}`),
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    ...extra,
  });
  return { monitor, timers, events, calls: () => calls };
}

describe('HealthMonitor', () => {
  test('start: the first check waits one interval', deadline, () => {
    const { monitor, timers, calls } = monitorWith([pass]);
    monitor.start();
    assert.equal(calls(), 0);
    assert.deepEqual(
      [...timers.pending.values()].map((timer) => timer.ms),
      [1000],
    );
    monitor.stop();
  });

  test('passing checks: keep running, one timer at a time', deadline, async () => {
    const { monitor, timers, events, calls } = monitorWith([pass]);
    monitor.start();
    for (let n = 0; n < 5; n++) await timers.fire();
    assert.equal(calls(), 5);
    assert.deepEqual(events, []);
    assert.equal(timers.pending.size, 1);
    assert.ok(monitor.running);
    monitor.stop();
  });

  test('unhealthy: reported once when failures in a row reach retries, then the monitor stops', deadline, async () => {
    const { monitor, timers, events, calls } = monitorWith([fail('a'), fail('b'), fail('HTTP 503 from http://x/')]);
    monitor.start();
    await timers.fire();
    await timers.fire();
    assert.deepEqual(events, []);
    assert.equal(monitor.failures, 2);
    await timers.fire();
    assert.deepEqual(events, ['unhealthy 3: HTTP 503 from http://x/']);
    assert.equal(timers.pending.size, 0, 'no further check is scheduled');
    assert.equal(monitor.running, false);
    assert.equal(calls(), 3);
  });

  test('recovered: a pass resets the count and is reported', deadline, async () => {
    const { monitor, timers, events } = monitorWith([fail('a'), fail('b'), pass, fail('c'), fail('d'), fail('e')]);
    monitor.start();
    await timers.fire();
    await timers.fire();
    await timers.fire();
    assert.deepEqual(events, ['recovered after 2']);
    assert.equal(monitor.failures, 0);
    await timers.fire();
    await timers.fire();
    assert.deepEqual(events, ['recovered after 2'], 'two failures after the reset are not enough');
    await timers.fire();
    assert.deepEqual(events, ['recovered after 2', 'unhealthy 3: e']);
  });

  test('retries 1: the first failure is enough', deadline, async () => {
    const { monitor, timers, events } = monitorWith([fail('refused')], { retries: 1 });
    monitor.start();
    await timers.fire();
    assert.deepEqual(events, ['unhealthy 1: refused']);
  });

  test('a check that throws counts as a failure', deadline, async () => {
    const { monitor, timers, events } = monitorWith([], { retries: 1, check: () => Promise.reject(new Error('boom')) });
    monitor.start();
    await timers.fire();
    assert.deepEqual(events, ['unhealthy 1: check failed: boom']);
  });

  test('never overlapping: the next check is scheduled only after the current one ends', deadline, async () => {
    const timers = fakeTimers();
    let finish: (result: ProbeResult) => void = () => {};
    let calls = 0;
    const monitor = new HealthMonitor({
      check: () => {
        calls += 1;
        return new Promise((resolve) => (finish = resolve));
      },
      intervalMs: 1000,
      retries: 3,
      onUnhealthy: () => {},
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    monitor.start();
    await timers.fire();
    assert.equal(calls, 1);
    assert.equal(timers.pending.size, 0, 'nothing is scheduled while the check runs');
    finish(pass);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(timers.pending.size, 1);
    monitor.stop();
  });

  test('stop: clears the timer; a check in flight is ignored when it ends', deadline, async () => {
    const timers = fakeTimers();
    let finish: (result: ProbeResult) => void = () => {};
    const events: string[] = [];
    const monitor = new HealthMonitor({
      check: () => new Promise((resolve) => (finish = resolve)),
      intervalMs: 1000,
      retries: 1,
      onUnhealthy: (detail) => events.push(detail),
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
    });
    monitor.start();
    await timers.fire();
    monitor.stop();
    finish(fail('late'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, []);
    assert.equal(timers.pending.size, 0);

    const idle = monitorWith([pass]);
    idle.monitor.start();
    idle.monitor.stop();
    idle.monitor.stop();
    assert.equal(idle.timers.pending.size, 0);
  });

  test('start: twice is harmless; after stop it throws', deadline, () => {
    const { monitor, timers } = monitorWith([pass]);
    monitor.start();
    monitor.start();
    assert.equal(timers.pending.size, 1);
    monitor.stop();
    assert.throws(() => monitor.start(), /make a new monitor/);
  });
});
