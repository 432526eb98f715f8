// OptimizerGate (src/native/optimizer-gate.ts): V8's optimizing compiler off from hold()
// until start-up is over (SETTLE_MS without a service change), corral is busy (release()),
// or MAX_HOLD_MS, whichever comes first; back on once, for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HOLD_MS, OptimizerGate, SETTLE_MS } from '../../src/native/optimizer-gate.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { fakeTimers } from '../helpers/fake-timers.js';

function gate() {
  const timers = fakeTimers();
  const { logger, lines } = captureLogger();
  let now = 5_000;
  const calls: boolean[] = [];
  const subject = new OptimizerGate({
    setOptimizer: (on) => calls.push(on),
    logger,
    now: () => now,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  // Fires the pending timer of `ms`, its time having passed.
  const fireAfter = (ms: number): void => {
    const entry = [...timers.pending].find(([, timer]) => timer.ms === ms);
    assert.ok(entry, `a timer of ${ms} ms is pending`);
    timers.pending.delete(entry[0]);
    now += ms;
    entry[1].callback();
  };
  return { subject, timers, lines, calls, fireAfter, advance: (ms: number) => (now += ms) };
}

test('hold() turns the compiler off, with only the longest hold pending until the services start', () => {
  const { subject, timers, calls } = gate();
  subject.hold();
  assert.deepEqual(calls, [false]);
  assert.deepEqual(timers.delays(), [MAX_HOLD_MS], 'no settling yet: init scripts may run first');
});

test('start-up is over SETTLE_MS after the last service change: the compiler is on again, once', () => {
  const { subject, timers, calls, lines, fireAfter, advance } = gate();
  subject.hold();
  advance(300);
  for (let i = 0; i < 500; i++) subject.poke();
  assert.deepEqual(timers.delays().sort(), [MAX_HOLD_MS, SETTLE_MS].sort(), 'one settle timer, re-armed by each poke');
  fireAfter(SETTLE_MS);
  assert.deepEqual(calls, [false, true]);
  assert.equal(timers.pending.size, 0, 'the longest hold is cleared with it');
  assert.deepEqual(lines, ['debug: optimizing compiler on: start-up is over, 1300 ms after start']);
  subject.poke();
  subject.release('again');
  subject.hold();
  assert.deepEqual(calls, [false, true], 'released for good: nothing turns it off or on again');
  assert.equal(timers.pending.size, 0);
});

test('release() before start-up is over, when corral is busy: on at once, the timers cleared', () => {
  const { subject, timers, calls, lines, advance } = gate();
  subject.hold();
  subject.poke();
  advance(40);
  subject.release('1 MiB written to stdout');
  assert.deepEqual(calls, [false, true]);
  assert.equal(timers.pending.size, 0);
  assert.deepEqual(lines, ['debug: optimizing compiler on: 1 MiB written to stdout, 40 ms after start']);
});

test('services that change state for ever (a crash loop) hold it MAX_HOLD_MS at most', () => {
  const { subject, calls, lines, fireAfter } = gate();
  subject.hold();
  subject.poke();
  fireAfter(MAX_HOLD_MS);
  assert.deepEqual(calls, [false, true]);
  assert.deepEqual(lines, [`debug: optimizing compiler on: held for ${MAX_HOLD_MS / 1000} s, the most it is, ${MAX_HOLD_MS} ms after start`]);
});

test('never held: poke() and release() do nothing', () => {
  const { subject, timers, calls } = gate();
  subject.poke();
  subject.release('busy');
  assert.deepEqual(calls, []);
  assert.equal(timers.pending.size, 0);
});
