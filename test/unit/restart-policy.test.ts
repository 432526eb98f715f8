import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, decideAfterExit, freshHistory, wantsRestart, type Policy, type RestartHistory } from '../../src/supervisor/restart-policy.js';
import type { RestartPolicy } from '../../src/config/service-config.js';

// jitter 0: every delay is exact.
const backoff = { initialMs: 1000, maxMs: 30_000, factor: 2, jitter: 0 };
const middle = (): number => 0.5;
const lowest = (): number => 0;
const highest = (): number => 0.999;

describe('backoffDelayMs', () => {
  test('backoffDelayMs: grows as initial * factor^streak', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((n) => backoffDelayMs(backoff, n, middle)),
      [1000, 2000, 4000, 8000, 16_000],
    );
  });

  test('backoffDelayMs: is capped at max', () => {
    assert.equal(backoffDelayMs(backoff, 5, middle), 30_000, '32000 is capped');
    assert.equal(backoffDelayMs(backoff, 6, middle), 30_000);
  });

  test('backoffDelayMs: a huge streak still gives max, not Infinity or NaN', () => {
    assert.equal(backoffDelayMs(backoff, 10_000, middle), 30_000);
    assert.equal(backoffDelayMs({ ...backoff, jitter: 0.5 }, 10_000, lowest), 15_000);
  });

  test('backoffDelayMs: a fractional factor is rounded to whole milliseconds', () => {
    const slow = { ...backoff, factor: 1.5 };
    assert.deepEqual(
      [0, 1, 2, 3].map((n) => backoffDelayMs(slow, n, middle)),
      [1000, 1500, 2250, 3375],
    );
    assert.equal(backoffDelayMs({ initialMs: 100, maxMs: 1000, factor: 1.1, jitter: 0 }, 1, middle), 110);
    assert.equal(backoffDelayMs({ initialMs: 333, maxMs: 10_000, factor: 1.5, jitter: 0 }, 1, middle), 500, '499.5 rounds to 500');
  });

  test('backoffDelayMs: factor 1 keeps the initial delay', () => {
    assert.equal(backoffDelayMs({ ...backoff, initialMs: 500, factor: 1 }, 7, middle), 500);
  });

  test('backoffDelayMs: an initial delay above max is capped at max', () => {
    assert.equal(backoffDelayMs({ ...backoff, initialMs: 60_000 }, 0, middle), 30_000);
  });

  test('backoffDelayMs: random 0 gives the delay minus jitter', () => {
    const jittery = { ...backoff, jitter: 0.2 };
    assert.equal(backoffDelayMs(jittery, 0, lowest), 800);
    assert.equal(backoffDelayMs(jittery, 2, lowest), 3200);
  });

  test('backoffDelayMs: random 0.999 gives (almost) the delay plus jitter', () => {
    const jittery = { ...backoff, jitter: 0.2 };
    // 1000 * (1 + 0.2 * 0.998) = 1199.6
    assert.equal(backoffDelayMs(jittery, 0, highest), 1200);
    assert.equal(backoffDelayMs(jittery, 2, highest), 4798);
  });

  test('backoffDelayMs: random 0.5 gives the delay itself', () => {
    assert.equal(backoffDelayMs({ ...backoff, jitter: 0.2 }, 3, middle), 8000);
  });

  test('backoffDelayMs: without a random function, the delay is not spread', () => {
    assert.equal(backoffDelayMs({ ...backoff, jitter: 0.5 }, 1), 2000);
  });

  test('backoffDelayMs: every random value stays within ±jitter', () => {
    const jittery = { ...backoff, jitter: 0.1 };
    for (let streak = 0; streak < 5; streak++) {
      const base = 1000 * 2 ** streak;
      for (let r = 0; r < 1; r += 0.01) {
        const delay = backoffDelayMs(jittery, streak, () => r);
        assert.ok(delay >= Math.round(base * 0.9) && delay <= Math.round(base * 1.1), `streak ${streak}, random ${r}: ${delay}`);
      }
    }
  });

  test('backoffDelayMs: jitter never takes the delay above max', () => {
    const jittery = { ...backoff, jitter: 0.5 };
    assert.equal(backoffDelayMs(jittery, 5, highest), 30_000, 'capped base + jitter is still max');
    assert.equal(backoffDelayMs({ ...jittery, maxMs: 20_000 }, 4, highest), 20_000, '16000 * 1.499 is capped');
    assert.equal(backoffDelayMs(jittery, 4, highest), 23_984, '16000 * 1.499 is below max');
    assert.equal(backoffDelayMs(jittery, 5, lowest), 15_000, 'below max, jitter still spreads downwards');
    for (let r = 0; r < 1; r += 0.05) assert.ok(backoffDelayMs(jittery, 100, () => r) <= 30_000);
  });

  test('backoffDelayMs: jitter 0 is exact whatever random returns', () => {
    for (const random of [lowest, middle, highest]) {
      assert.deepEqual(
        [0, 1, 2, 5].map((n) => backoffDelayMs(backoff, n, random)),
        [1000, 2000, 4000, 30_000],
      );
    }
  });

  test('backoffDelayMs: jitter 1 at random 0 gives 0', () => {
    assert.equal(backoffDelayMs({ ...backoff, jitter: 1 }, 3, lowest), 0);
  });
});

describe('wantsRestart', () => {
  const table: [RestartPolicy, boolean, boolean][] = [
    ['always', false, true],
    ['always', true, true],
    ['on-failure', false, false],
    ['on-failure', true, true],
    ['never', false, false],
    ['never', true, false],
  ];
  for (const [policy, failed, expected] of table) {
    test(`wantsRestart: ${policy} after ${failed ? 'a failure' : 'a success'} -> ${expected ? 'restart' : 'no restart'}`, () => {
      assert.equal(wantsRestart(policy, failed), expected);
    });
  }
});

describe('decideAfterExit', () => {
  const policy: Policy = { restart: 'on-failure', backoff, reset_afterMs: 10_000, max_restarts: undefined };
  const failure = { failed: true, uptimeMs: 500, now: 1_000_000 };
  const history = (streak: number, restartTimes: number[] = []): RestartHistory => ({ streak, restartTimes });

  test('freshHistory: no streak, no restarts', () => {
    assert.deepEqual(freshHistory, { streak: 0, restartTimes: [] });
  });

  test('decideAfterExit: the first failure restarts after the initial delay, streak 1', () => {
    assert.deepEqual(decideAfterExit(policy, failure, freshHistory, middle), {
      action: 'restart',
      delayMs: 1000,
      history: { streak: 1, restartTimes: [] },
    });
  });

  test('decideAfterExit: a short run continues the streak and doubles the delay', () => {
    assert.deepEqual(decideAfterExit(policy, failure, history(3), middle), {
      action: 'restart',
      delayMs: 8000,
      history: { streak: 4, restartTimes: [] },
    });
    assert.deepEqual(decideAfterExit(policy, { ...failure, uptimeMs: 9999 }, history(1), middle), {
      action: 'restart',
      delayMs: 2000,
      history: { streak: 2, restartTimes: [] },
    });
  });

  test('decideAfterExit: a crash loop walks up the backoff to max', () => {
    let past = freshHistory;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const decision = decideAfterExit(policy, { ...failure, now: 1000 * i }, past, middle);
      assert.equal(decision.action, 'restart');
      if (decision.action !== 'restart') return;
      delays.push(decision.delayMs);
      past = decision.history;
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(past.streak, 8);
  });

  test('decideAfterExit: a run of exactly reset_after resets the streak to the initial delay', () => {
    assert.deepEqual(decideAfterExit(policy, { ...failure, uptimeMs: 10_000 }, history(5), middle), {
      action: 'restart',
      delayMs: 1000,
      history: { streak: 1, restartTimes: [] },
    });
  });

  test('decideAfterExit: a run longer than reset_after resets the streak to the initial delay', () => {
    assert.deepEqual(decideAfterExit(policy, { ...failure, uptimeMs: 3_600_000 }, history(7), middle), {
      action: 'restart',
      delayMs: 1000,
      history: { streak: 1, restartTimes: [] },
    });
  });

  test('decideAfterExit: a run just under reset_after does not reset the streak', () => {
    assert.deepEqual(decideAfterExit(policy, { ...failure, uptimeMs: 9999 }, history(5), middle), {
      action: 'restart',
      delayMs: 30_000,
      history: { streak: 6, restartTimes: [] },
    });
  });

  test('decideAfterExit: a spawn failure (uptime 0) continues the streak', () => {
    assert.deepEqual(decideAfterExit(policy, { ...failure, uptimeMs: 0 }, history(2), middle), {
      action: 'restart',
      delayMs: 4000,
      history: { streak: 3, restartTimes: [] },
    });
  });

  test('decideAfterExit: the random function spreads the delay by the backoff jitter', () => {
    const jittery = { ...policy, backoff: { ...backoff, jitter: 0.25 } };
    const low = decideAfterExit(jittery, failure, history(1), lowest);
    const high = decideAfterExit(jittery, failure, history(1), highest);
    assert.equal(low.action === 'restart' && low.delayMs, 1500);
    assert.equal(high.action === 'restart' && high.delayMs, 2499);
  });

  test('decideAfterExit: the history passed in is not modified', () => {
    const limited = { ...policy, max_restarts: { count: 5, windowMs: 60_000 } };
    const past = history(2, [990_000]);
    decideAfterExit(limited, failure, past, middle);
    assert.deepEqual(past, { streak: 2, restartTimes: [990_000] });
  });

  // restart × failed: the whole table.
  const outcomes: [RestartPolicy, boolean, 'restart' | 'done' | 'give-up'][] = [
    ['never', false, 'done'],
    ['never', true, 'give-up'],
    ['on-failure', false, 'done'],
    ['on-failure', true, 'restart'],
    ['always', false, 'restart'],
    ['always', true, 'restart'],
  ];
  for (const [restart, failed, action] of outcomes) {
    test(`decideAfterExit: restart ${restart}, ${failed ? 'failed' : 'succeeded'} -> ${action}`, () => {
      const decision = decideAfterExit({ ...policy, restart }, { ...failure, failed }, history(2), middle);
      assert.equal(decision.action, action);
      if (decision.action === 'restart') assert.deepEqual(decision, { action, delayMs: 4000, history: { streak: 3, restartTimes: [] } });
    });
  }

  test('decideAfterExit: restart never after a failure gives up naming the policy', () => {
    assert.deepEqual(decideAfterExit({ ...policy, restart: 'never' }, failure, freshHistory, middle), {
      action: 'give-up',
      reason: 'restart: never',
    });
  });

  test('decideAfterExit: done carries nothing else', () => {
    assert.deepEqual(decideAfterExit(policy, { ...failure, failed: false }, history(4), middle), { action: 'done' });
  });
});

describe('decideAfterExit: max_restarts', () => {
  const policy: Policy = { restart: 'always', backoff, reset_afterMs: 10_000, max_restarts: { count: 3, windowMs: 60_000 } };
  const exitAt = (now: number) => ({ failed: true, uptimeMs: 100, now });

  test('max_restarts: each restart is recorded at `now`', () => {
    assert.deepEqual(decideAfterExit(policy, exitAt(5000), freshHistory, middle), {
      action: 'restart',
      delayMs: 1000,
      history: { streak: 1, restartTimes: [5000] },
    });
  });

  test('max_restarts: restarts up to count, then gives up with a reason naming count and window', () => {
    let past = freshHistory;
    const actions: string[] = [];
    for (const now of [1000, 2000, 3000, 4000]) {
      const decision = decideAfterExit(policy, exitAt(now), past, middle);
      actions.push(decision.action);
      if (decision.action === 'restart') past = decision.history;
      else assert.deepEqual(decision, { action: 'give-up', reason: 'max_restarts: 3 restarts within 1m' });
    }
    assert.deepEqual(actions, ['restart', 'restart', 'restart', 'give-up']);
    assert.deepEqual(past.restartTimes, [1000, 2000, 3000]);
  });

  test('max_restarts: the reason formats the window as a duration', () => {
    const limited = { ...policy, max_restarts: { count: 2, windowMs: 90_000 } };
    assert.deepEqual(decideAfterExit(limited, exitAt(50_000), { streak: 2, restartTimes: [10_000, 20_000] }, middle), {
      action: 'give-up',
      reason: 'max_restarts: 2 restarts within 1m30s',
    });
  });

  test('max_restarts: restarts older than the window slide out', () => {
    // At 70s, the window is (10s, 70s]: the restart at 5s has slid out.
    const decision = decideAfterExit(policy, exitAt(70_000), { streak: 3, restartTimes: [5000, 30_000, 60_000] }, middle);
    assert.deepEqual(decision, { action: 'restart', delayMs: 8000, history: { streak: 4, restartTimes: [30_000, 60_000, 70_000] } });
  });

  test('max_restarts: a restart exactly one window ago has slid out; one just inside has not', () => {
    const past = { streak: 3, restartTimes: [10_000, 20_000, 30_000] };
    assert.equal(decideAfterExit(policy, exitAt(70_000), past, middle).action, 'restart', '10s is exactly 60s before 70s');
    assert.equal(decideAfterExit(policy, exitAt(69_999), past, middle).action, 'give-up');
  });

  test('max_restarts: with a fake clock, a crash loop gives up, then restarts again once time has passed', () => {
    let past = freshHistory;
    const actions: string[] = [];
    for (const now of [0, 10_000, 20_000, 30_000, 61_000, 200_000]) {
      const decision = decideAfterExit(policy, exitAt(now), past, middle);
      actions.push(`${now}:${decision.action}`);
      if (decision.action === 'restart') past = decision.history;
    }
    assert.deepEqual(actions, ['0:restart', '10000:restart', '20000:restart', '30000:give-up', '61000:restart', '200000:restart']);
    assert.deepEqual(past.restartTimes, [200_000], 'only restarts within the window are kept');
  });

  test('max_restarts: also counts restarts after a success with restart: always', () => {
    const past = { streak: 0, restartTimes: [1000, 2000, 3000] };
    assert.equal(decideAfterExit(policy, { failed: false, uptimeMs: 60_000, now: 4000 }, past, middle).action, 'give-up');
  });

  test('max_restarts: a long run resets the backoff streak but not the restart count', () => {
    const past = { streak: 5, restartTimes: [1000, 2000] };
    assert.deepEqual(decideAfterExit(policy, { failed: true, uptimeMs: 20_000, now: 30_000 }, past, middle), {
      action: 'restart',
      delayMs: 1000,
      history: { streak: 1, restartTimes: [1000, 2000, 30_000] },
    });
  });

  test('max_restarts: count 0 never restarts', () => {
    const none = { ...policy, max_restarts: { count: 0, windowMs: 60_000 } };
    assert.equal(decideAfterExit(none, exitAt(1000), freshHistory, middle).action, 'give-up');
  });

  test('max_restarts: a policy that does not restart is done or gives up before the limit is looked at', () => {
    const never = { ...policy, restart: 'never' as const };
    const full = { streak: 3, restartTimes: [1000, 2000, 3000] };
    assert.deepEqual(decideAfterExit(never, { failed: false, uptimeMs: 100, now: 4000 }, full, middle), { action: 'done' });
    assert.deepEqual(decideAfterExit(never, exitAt(4000), full, middle), { action: 'give-up', reason: 'restart: never' });
  });

  test('without max_restarts, restart times are not kept', () => {
    const unlimited = { ...policy, max_restarts: undefined };
    const decision = decideAfterExit(unlimited, exitAt(4000), { streak: 0, restartTimes: [1000, 2000, 3000] }, middle);
    assert.deepEqual(decision, { action: 'restart', delayMs: 1000, history: { streak: 1, restartTimes: [] } });
  });
});
