// waitUntilReady on a fake clock: the sleep advances the clock, so nothing really waits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ProbeResult } from '../../src/readiness/probe-result.js';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, waitUntilReady, type ReadyCheck } from '../../src/readiness/wait-ready.js';

const deadline = { timeout: 5000 };

function fakeClock() {
  const clock = {
    ms: 1_000_000,
    sleeps: [] as number[],
    now: () => clock.ms,
    sleep: (ms: number): Promise<void> => {
      clock.sleeps.push(ms);
      clock.ms += ms;
      return Promise.resolve();
    },
  };
  return clock;
}

// A check that answers from `results` in turn (the last one repeats), taking `costMs` of
// fake time each, and records when it ran and with what limit.
function scriptedCheck(clock: ReturnType<typeof fakeClock>, results: ProbeResult[], costMs = 0) {
  const calls: { at: number; timeoutMs: number }[] = [];
  const check: ReadyCheck = (timeoutMs) => {
    calls.push({ at: clock.ms - 1_000_000, timeoutMs });
    clock.ms += costMs;
    return Promise.resolve(results[Math.min(calls.length - 1, results.length - 1)]!);
  };
  return { check, calls };
}

const fail = (detail: string): ProbeResult => ({ ok: false, detail });
const pass: ProbeResult = { ok: true, detail: 'connected' };

describe('waitUntilReady', () => {
  test('ready: a check that passes at once is ready after 0 ms, without sleeping', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [pass]);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 5000, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'ready', afterMs: 0 });
    assert.deepEqual(calls, [{ at: 0, timeoutMs: DEFAULT_ATTEMPT_TIMEOUT_MS }]);
    assert.deepEqual(clock.sleeps, []);
  });

  test('ready: polls immediately, then every interval until the check passes', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [fail('refused'), fail('refused'), pass]);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 5000, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'ready', afterMs: 200 });
    assert.deepEqual(
      calls.map((call) => call.at),
      [0, 100, 200],
    );
  });

  test('interval: is measured from the start of one attempt to the next', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [fail('no'), fail('no'), pass], 30);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 5000, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'ready', afterMs: 230 });
    assert.deepEqual(clock.sleeps, [70, 70]);
    assert.deepEqual(
      calls.map((call) => call.at),
      [0, 100, 200],
    );
  });

  test('interval: an attempt slower than the interval is followed at once', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [fail('slow'), pass], 150);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 5000, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'ready', afterMs: 300 });
    assert.deepEqual(clock.sleeps, []);
    assert.deepEqual(
      calls.map((call) => call.at),
      [0, 150],
    );
  });

  test('timeout: gives the last failure and never runs past the deadline', deadline, async () => {
    const clock = fakeClock();
    let n = 0;
    const calls: number[] = [];
    const check: ReadyCheck = () => {
      calls.push(clock.ms - 1_000_000);
      n += 1;
      return Promise.resolve(fail(`attempt ${n}`));
    };
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 450, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'timeout', lastDetail: 'attempt 5' });
    assert.deepEqual(calls, [0, 100, 200, 300, 400]);
    assert.ok(clock.ms - 1_000_000 <= 450);
  });

  test('timeout: each attempt may take the smaller of its own limit and the time left', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [fail('no')]);
    await waitUntilReady(check, {
      intervalMs: 100,
      timeoutMs: 450,
      attemptTimeoutMs: 300,
      now: clock.now,
      sleep: clock.sleep,
      signal: new AbortController().signal,
    });
    assert.deepEqual(
      calls.map((call) => call.timeoutMs),
      [300, 300, 250, 150, 50],
    );
  });

  test('timeout: a check that uses up all the time ends the wait after one attempt', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [fail('127.0.0.1:5432: no connection after 500ms')], 500);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 500, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'timeout', lastDetail: '127.0.0.1:5432: no connection after 500ms' });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.timeoutMs, 500);
  });

  test('failure: a check that throws counts as a failed attempt', deadline, async () => {
    const clock = fakeClock();
    let n = 0;
    const check: ReadyCheck = () => (++n === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(pass));
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 1000, now: clock.now, sleep: clock.sleep, signal: new AbortController().signal });
    assert.deepEqual(outcome, { kind: 'ready', afterMs: 100 });

    const clock2 = fakeClock();
    const outcome2 = await waitUntilReady(() => Promise.reject(new Error('boom')), {
      intervalMs: 100,
      timeoutMs: 150,
      now: clock2.now,
      sleep: clock2.sleep,
      signal: new AbortController().signal,
    });
    assert.deepEqual(outcome2, { kind: 'timeout', lastDetail: 'check failed: boom' });
  });

  test('aborted: an aborted signal runs no check', deadline, async () => {
    const clock = fakeClock();
    const { check, calls } = scriptedCheck(clock, [pass]);
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 1000, now: clock.now, sleep: clock.sleep, signal: AbortSignal.abort() });
    assert.deepEqual(outcome, { kind: 'aborted' });
    assert.equal(calls.length, 0);
  });

  test('aborted: during the sleep between attempts', deadline, async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const { check, calls } = scriptedCheck(clock, [fail('no')]);
    const sleep = (ms: number): Promise<void> => {
      clock.ms += ms;
      controller.abort();
      return Promise.resolve();
    };
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 1000, now: clock.now, sleep, signal: controller.signal });
    assert.deepEqual(outcome, { kind: 'aborted' });
    assert.equal(calls.length, 1);
  });

  test('aborted: during an attempt that never finishes; the attempt gets the signal', deadline, async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const check: ReadyCheck = (_timeoutMs, signal) => {
      seen = signal;
      queueMicrotask(() => controller.abort());
      return new Promise(() => {});
    };
    const outcome = await waitUntilReady(check, { intervalMs: 100, timeoutMs: 1000, now: clock.now, sleep: clock.sleep, signal: controller.signal });
    assert.deepEqual(outcome, { kind: 'aborted' });
    assert.equal(seen, controller.signal);
  });

  test('defaults: Date.now and setTimeout drive the wait (mocked timers)', deadline, async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    let n = 0;
    const outcome = waitUntilReady(() => Promise.resolve(++n < 3 ? fail('no') : pass), {
      intervalMs: 10,
      timeoutMs: 2000,
      signal: new AbortController().signal,
    });
    for (let step = 0; step < 2; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      t.mock.timers.tick(10);
    }
    assert.deepEqual(await outcome, { kind: 'ready', afterMs: 20 });
  });
});
