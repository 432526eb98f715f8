// The one stop procedure on a virtual clock: which signals go when, what it says, and that
// no wait outlives the deadline (issue 16, items 4 and 9).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Logger } from '../../src/shared/logger.js';
import { Latch } from '../../src/supervisor/clock.js';
import { KILL_WAIT_FLOOR_MS, stopProcesses, type StopTarget } from '../../src/supervisor/stop-procedure.js';
import { VirtualClock } from '../sim/virtual-clock.js';

interface Fake {
  target: StopTarget;
  sent: [number, string][];
  warnings: string[];
  logger: Logger;
}

// A group that dies `dieAfterMs` after the signal it obeys (never, for undefined).
function fakeGroup(clock: VirtualClock, obeys: readonly string[], dieAfterMs = 5): Fake {
  let alive = true;
  const sent: [number, string][] = [];
  const warnings: string[] = [];
  const target: StopTarget = {
    what: 'web',
    signal: (signal) => {
      sent.push([clock.now(), signal]);
      if (obeys.includes(signal)) clock.setTimer(() => (alive = false), dieAfterMs);
    },
    gone: () => !alive,
    describeStuck: () => ['pid 12 (web), state D, in some_wchan'],
  };
  const logger = { warn: (text: string) => void warnings.push(text) } as unknown as Logger;
  return { target, sent, warnings, logger };
}

async function drive<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 10_000 && !done; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!done) clock.fireNext();
  }
  return promise;
}

describe('stopProcesses', () => {
  test('a group that obeys its stop signal gets it and SIGCONT, and nothing more', async () => {
    const clock = new VirtualClock();
    const fake = fakeGroup(clock, ['SIGTERM']);
    const result = await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 1000, deadline: 10_000 }));
    assert.equal(result, 'stopped');
    assert.deepEqual(fake.sent, [
      [0, 'SIGTERM'],
      [0, 'SIGCONT'],
    ]);
    assert.deepEqual(fake.warnings, []);
  });

  test('one that ignores it is killed after its grace, and the words say so', async () => {
    const clock = new VirtualClock();
    const fake = fakeGroup(clock, ['SIGKILL']);
    const result = await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 300, deadline: 10_000 }));
    assert.equal(result, 'killed');
    assert.deepEqual(fake.sent.at(-1), [300, 'SIGKILL']);
    assert.deepEqual(fake.warnings, ['web: did not stop within 300ms of SIGTERM; sending SIGKILL']);
  });

  test('the deadline shortens the grace, and the words say it was the budget, not "shutdown forced"', async () => {
    const clock = new VirtualClock();
    const fake = fakeGroup(clock, ['SIGKILL']);
    await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 5000, deadline: 800 }));
    assert.deepEqual(fake.warnings, ['web: did not stop within 800ms of SIGTERM, all that was left of the shutdown budget; sending SIGKILL']);
  });

  test('past the deadline: no "within 0ms", and SIGKILL at once', async () => {
    const clock = new VirtualClock();
    clock.advanceTo(2000);
    const fake = fakeGroup(clock, ['SIGKILL']);
    await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 5000, deadline: 1000 }));
    assert.deepEqual(fake.warnings, ['web: the shutdown budget left no time for SIGTERM; sending SIGKILL']);
    assert.deepEqual(fake.sent.at(-1), [2000, 'SIGKILL']);
  });

  test('a second shutdown signal cuts the grace short, and the words say so', async () => {
    const clock = new VirtualClock();
    const forced = new Latch();
    const fake = fakeGroup(clock, ['SIGKILL']);
    clock.setTimer(() => forced.set(), 100);
    await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 5000, deadline: 10_000, forced }));
    assert.deepEqual(fake.warnings, ['web: a second shutdown signal came; sending SIGKILL']);
    assert.deepEqual(fake.sent.at(-1), [100, 'SIGKILL']);
  });

  test('what survives SIGKILL is reported with its state and left, within the deadline plus the kill floor', async () => {
    const clock = new VirtualClock();
    const fake = fakeGroup(clock, []);
    const result = await drive(clock, stopProcesses(fake.target, { clock, logger: fake.logger, signal: 'SIGTERM', graceMs: 5000, deadline: 1000 }));
    assert.equal(result, 'stuck');
    assert.ok(clock.now() <= 1000 + KILL_WAIT_FLOOR_MS, `ended at ${clock.now()} ms`);
    assert.equal(fake.warnings.at(-1), 'web: still there after SIGKILL: pid 12 (web), state D, in some_wchan; not waiting for it');
  });
});

describe('Latch', () => {
  test('a listener that stopped listening is not called and not kept', () => {
    const latch = new Latch();
    let calls = 0;
    const stop = latch.listen(() => (calls += 1));
    stop();
    latch.set();
    assert.equal(calls, 0);
    assert.equal((latch as unknown as { listeners: Set<unknown> }).listeners.size, 0);
  });

  test('listening to a set latch calls at once', () => {
    const latch = new Latch();
    latch.set();
    let calls = 0;
    latch.listen(() => (calls += 1));
    assert.equal(calls, 1);
  });
});
