// MemoryTrimmer (src/native/memory-trimmer.ts): one trim once things settle, at most one
// per interval, the C heap at once after a load worker, none after close().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryTrimmer, MIN_INTERVAL_MS, SETTLE_MS } from '../../src/native/memory-trimmer.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { fakeTimers } from '../helpers/fake-timers.js';

function trimmer() {
  const timers = fakeTimers();
  const { logger, lines } = captureLogger();
  let now = 1_000_000;
  let trims = 0;
  const collects: boolean[] = [];
  let rss = 80 * 2 ** 20;
  const subject = new MemoryTrimmer({
    trim: (collect) => {
      trims++;
      collects.push(collect);
      now += 7;
      rss -= 10 * 2 ** 20;
      return true;
    },
    logger,
    rss: () => rss,
    now: () => now,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
  });
  return { subject, timers, lines, collects, trims: () => trims, advance: (ms: number) => (now += ms) };
}

test('pokes in a burst make one trim, SETTLE_MS after the last', () => {
  const { subject, timers, lines, collects, trims } = trimmer();
  for (let i = 0; i < 500; i++) subject.poke();
  assert.deepEqual(timers.delays(), [SETTLE_MS], 'one timer, re-armed by each poke');
  assert.equal(trims(), 0, 'nothing before things settle');
  timers.fire();
  assert.equal(trims(), 1);
  assert.deepEqual(collects, [true], 'with a full collection');
  assert.deepEqual(lines, ['debug: memory: things settled; collected and trimmed in 7 ms, RSS 80.0 -> 70.0 MiB']);
});

test('after a trim, the next waits out MIN_INTERVAL_MS', () => {
  const { subject, timers, trims, advance } = trimmer();
  subject.poke();
  timers.fire();
  advance(5_000);
  subject.poke();
  assert.deepEqual(timers.delays(), [MIN_INTERVAL_MS - 5_000], 'counted from when the last trim ended');
  timers.fire();
  assert.equal(trims(), 2);
  advance(MIN_INTERVAL_MS);
  subject.poke();
  assert.deepEqual(timers.delays(), [SETTLE_MS], 'long after, only the settling wait');
});

test('trimHeap trims the C heap at once, without a collection, and leaves the interval alone', () => {
  const { subject, timers, lines, collects, trims } = trimmer();
  subject.trimHeap();
  assert.equal(trims(), 1);
  assert.deepEqual(collects, [false]);
  assert.deepEqual(lines, ['debug: memory: the load worker ended; trimmed the C heap in 7 ms, RSS 80.0 -> 70.0 MiB']);
  subject.poke();
  assert.deepEqual(timers.delays(), [SETTLE_MS], 'the settling trim still comes');
});

test('close() cancels the pending trim and refuses later ones', () => {
  const { subject, timers, trims } = trimmer();
  subject.poke();
  subject.close();
  assert.equal(timers.pending.size, 0);
  subject.poke();
  subject.trimHeap();
  assert.equal(timers.pending.size, 0);
  assert.equal(trims(), 0);
});

test('collectStartGarbage collects at once, the settling trim still comes, and after close() it does nothing', () => {
  const { subject, timers, lines, collects, trims } = trimmer();
  subject.collectStartGarbage();
  assert.deepEqual(collects, [true]);
  assert.deepEqual(lines, ['debug: memory: the first services are started; collected and trimmed in 7 ms, RSS 80.0 -> 70.0 MiB']);
  subject.poke();
  assert.deepEqual(timers.delays(), [SETTLE_MS], 'the settling trim still comes');
  subject.close();
  subject.collectStartGarbage();
  assert.equal(trims(), 1);
});
