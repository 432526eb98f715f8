import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, decideAfterExit, wantsRestart } from '../../src/supervisor/restart-policy.js';
import type { ExitOutcome } from '../../src/process/exit-outcome.js';
import type { RestartPolicy } from '../../src/config/schema.js';

const backoff = { initial: 1000, max: 30_000, factor: 2 };
const exit0: ExitOutcome = { kind: 'exited', code: 0 };
const exit3: ExitOutcome = { kind: 'exited', code: 3 };
const signalled: ExitOutcome = { kind: 'signalled', signal: 'SIGKILL' };
const spawnFailed: ExitOutcome = { kind: 'spawn-failed', errno: 'ENOENT', message: 'spawn x ENOENT' };

describe('backoffDelayMs', () => {
  test('backoffDelayMs: grows as initial * factor^streak', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((n) => backoffDelayMs(backoff, n)),
      [1000, 2000, 4000, 8000, 16_000],
    );
  });

  test('backoffDelayMs: is capped at max', () => {
    assert.equal(backoffDelayMs(backoff, 5), 30_000, '32000 is capped');
    assert.equal(backoffDelayMs(backoff, 6), 30_000);
  });

  test('backoffDelayMs: a huge streak still gives max, not Infinity or NaN', () => {
    assert.equal(backoffDelayMs(backoff, 10_000), 30_000);
  });

  test('backoffDelayMs: a fractional factor is rounded to whole milliseconds', () => {
    const slow = { initial: 1000, max: 30_000, factor: 1.5 };
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => backoffDelayMs(slow, n)),
      [1000, 1500, 2250, 3375],
    );
    assert.equal(backoffDelayMs({ initial: 100, max: 1000, factor: 1.1 }, 1), 110);
  });

  test('backoffDelayMs: factor 1 keeps the initial delay', () => {
    assert.equal(backoffDelayMs({ initial: 500, max: 30_000, factor: 1 }, 7), 500);
  });

  test('backoffDelayMs: an initial delay above max is capped at max', () => {
    assert.equal(backoffDelayMs({ initial: 60_000, max: 30_000, factor: 2 }, 0), 30_000);
  });
});

describe('wantsRestart', () => {
  const table: [RestartPolicy, string, ExitOutcome, boolean][] = [
    ['always', 'exit 0', exit0, true],
    ['always', 'exit 3', exit3, true],
    ['always', 'signalled', signalled, true],
    ['always', 'spawn-failed', spawnFailed, true],
    ['on-failure', 'exit 0', exit0, false],
    ['on-failure', 'exit 3', exit3, true],
    ['on-failure', 'signalled', signalled, true],
    ['on-failure', 'spawn-failed', spawnFailed, true],
    ['never', 'exit 0', exit0, false],
    ['never', 'exit 3', exit3, false],
    ['never', 'signalled', signalled, false],
    ['never', 'spawn-failed', spawnFailed, false],
  ];
  for (const [policy, label, outcome, expected] of table) {
    test(`wantsRestart: ${policy} after ${label} -> ${expected ? 'restart' : 'no restart'}`, () => {
      assert.equal(wantsRestart(policy, outcome), expected);
    });
  }
});

describe('decideAfterExit', () => {
  const policy = { restart: 'on-failure' as const, backoff, reset_after: 10_000 };

  test('decideAfterExit: the first failure restarts after the initial delay, streak 1', () => {
    assert.deepEqual(decideAfterExit(policy, exit3, 500, 0), { restart: true, delayMs: 1000, streak: 1 });
  });

  test('decideAfterExit: a short run continues the streak and doubles the delay', () => {
    assert.deepEqual(decideAfterExit(policy, exit3, 500, 3), { restart: true, delayMs: 8000, streak: 4 });
    assert.deepEqual(decideAfterExit(policy, signalled, 9999, 1), { restart: true, delayMs: 2000, streak: 2 });
  });

  test('decideAfterExit: a crash loop walks up the backoff to max', () => {
    let streak = 0;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const decision = decideAfterExit(policy, exit3, 100, streak);
      assert.ok(decision.restart);
      delays.push(decision.delayMs);
      streak = decision.streak;
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(streak, 8);
  });

  test('decideAfterExit: a run of exactly reset_after resets to the initial delay', () => {
    assert.deepEqual(decideAfterExit(policy, exit3, 10_000, 5), { restart: true, delayMs: 1000, streak: 1 });
  });

  test('decideAfterExit: a run longer than reset_after resets to the initial delay', () => {
    assert.deepEqual(decideAfterExit(policy, exit3, 3_600_000, 7), { restart: true, delayMs: 1000, streak: 1 });
  });

  test('decideAfterExit: a run just under reset_after does not reset', () => {
    assert.deepEqual(decideAfterExit(policy, exit3, 9999, 5), { restart: true, delayMs: 30_000, streak: 6 });
  });

  test('decideAfterExit: on-failure after exit 0 -> {restart: false}', () => {
    assert.deepEqual(decideAfterExit(policy, exit0, 500, 2), { restart: false });
  });

  test('decideAfterExit: never -> {restart: false} whatever the outcome', () => {
    const never = { ...policy, restart: 'never' as const };
    for (const outcome of [exit0, exit3, signalled, spawnFailed]) {
      assert.deepEqual(decideAfterExit(never, outcome, 500, 0), { restart: false });
    }
  });

  test('decideAfterExit: always restarts even after exit 0', () => {
    const always = { ...policy, restart: 'always' as const };
    assert.deepEqual(decideAfterExit(always, exit0, 500, 0), { restart: true, delayMs: 1000, streak: 1 });
  });

  test('decideAfterExit: a spawn failure (uptime 0) continues the streak', () => {
    assert.deepEqual(decideAfterExit(policy, spawnFailed, 0, 2), { restart: true, delayMs: 4000, streak: 3 });
  });
});
