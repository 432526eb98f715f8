// When a scheduled service's runs are due: every interval from the start, cron matches in
// the schedule's zone, strictly after a given time, and croner's documented behaviour at
// a DST spring-forward and fall-back (issue 18).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { describeSchedule, dueTimes, formatDueTime } from '../../src/supervisor/schedule-times.js';
import { classifyRun, describeRuns, ScheduleRecord } from '../../src/supervisor/schedule-record.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

// The next `count` due times after `from`, as ISO strings.
function nextRuns(times: ReturnType<typeof dueTimes>, from: number, count: number): (string | undefined)[] {
  const runs: (string | undefined)[] = [];
  let after = from;
  for (let i = 0; i < count; i++) {
    const next = times.next(after);
    runs.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return runs;
}

describe('dueTimes: every', () => {
  const start = at('2026-01-01T10:00:00.000Z');
  const times = dueTimes({ kind: 'every', intervalMs: 600_000 }, start);

  test('counts from the start, strictly after the time given', () => {
    assert.equal(iso(times.next(start)), '2026-01-01T10:10:00.000Z');
    assert.equal(iso(times.next(start + 599_999)), '2026-01-01T10:10:00.000Z');
    assert.equal(iso(times.next(start + 600_000)), '2026-01-01T10:20:00.000Z');
  });

  test('after a late wake-up, the next due time on the grid: missed runs are not made up for', () => {
    assert.equal(iso(times.next(start + 3_605_000)), '2026-01-01T11:10:00.000Z');
  });

  test('is described by its interval, in UTC', () => {
    assert.deepEqual(describeSchedule({ kind: 'every', intervalMs: 600_000 }), { description: 'every 10m', timezone: 'UTC' });
  });
});

describe('dueTimes: cron', () => {
  test('*/15 * * * * in UTC', () => {
    const times = dueTimes({ kind: 'cron', expression: '*/15 * * * *', timezone: 'UTC' }, 0);
    assert.deepEqual(nextRuns(times, at('2026-01-01T10:07:30Z'), 3), ['2026-01-01T10:15:00.000Z', '2026-01-01T10:30:00.000Z', '2026-01-01T10:45:00.000Z']);
  });

  test('six fields: seconds first; a due time is strictly after the time given', () => {
    const times = dueTimes({ kind: 'cron', expression: '*/1 * * * * *', timezone: 'UTC' }, 0);
    assert.equal(iso(times.next(at('2026-01-01T00:00:00.000Z'))), '2026-01-01T00:00:01.000Z');
    assert.equal(iso(times.next(at('2026-01-01T00:00:00.999Z'))), '2026-01-01T00:00:01.000Z');
  });

  test('read in its time zone: 0 3 * * * in Europe/Berlin is 02:00 UTC in winter, 01:00 in summer', () => {
    const times = dueTimes({ kind: 'cron', expression: '0 3 * * *', timezone: 'Europe/Berlin' }, 0);
    assert.equal(iso(times.next(at('2026-01-10T12:00:00Z'))), '2026-01-11T02:00:00.000Z');
    assert.equal(iso(times.next(at('2026-07-10T12:00:00Z'))), '2026-07-11T01:00:00.000Z');
  });

  // croner's README ("DST handling"), as Vixie cron: a fixed-time job runs once in a repeated
  // hour and after a skipped one; an interval job runs in both passes and skips the gap.
  describe('DST in Europe/Berlin (spring forward 2026-03-29 02:00 -> 03:00, fall back 2026-10-25 03:00 -> 02:00)', () => {
    const fixed = dueTimes({ kind: 'cron', expression: '30 2 * * *', timezone: 'Europe/Berlin' }, 0);
    const interval = dueTimes({ kind: 'cron', expression: '*/30 2 * * *', timezone: 'Europe/Berlin' }, 0);

    test('spring forward: 02:30 does not exist; the fixed-time job runs at 03:00 CEST that day', () => {
      assert.deepEqual(nextRuns(fixed, at('2026-03-28T12:00:00Z'), 2), ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    });

    test('spring forward: the interval job skips the hour that does not exist', () => {
      assert.deepEqual(nextRuns(interval, at('2026-03-28T12:00:00Z'), 2), ['2026-03-30T00:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    });

    test('fall back: 02:30 happens twice; the fixed-time job runs once, at the first', () => {
      assert.deepEqual(nextRuns(fixed, at('2026-10-24T12:00:00Z'), 2), ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    });

    test('fall back: the interval job runs in both passes of the repeated hour', () => {
      assert.deepEqual(nextRuns(interval, at('2026-10-24T12:00:00Z'), 5), [
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-26T01:00:00.000Z',
      ]);
    });
  });

  test('is described with its zone, and its times are shown in that zone', () => {
    assert.deepEqual(describeSchedule({ kind: 'cron', expression: '0 3 * * *', timezone: 'Europe/Berlin' }), {
      description: '0 3 * * * (Europe/Berlin)',
      timezone: 'Europe/Berlin',
    });
    assert.equal(formatDueTime(at('2026-03-29T01:00:00Z'), 'Europe/Berlin'), '2026-03-29 03:00:00 Europe/Berlin');
    assert.equal(formatDueTime(at('2026-03-29T01:00:00Z'), 'UTC'), '2026-03-29 01:00:00 UTC');
  });

  test('an expression the loader would refuse is a bug here, said with the expression', () => {
    assert.throws(() => dueTimes({ kind: 'cron', expression: '61 * * * *', timezone: 'UTC' }, 0), /schedule "61 \* \* \* \*": not a valid cron expression/);
  });
});

describe('run results', () => {
  const ok = { kind: 'exited', code: 0 } as const;
  const failed = { kind: 'exited', code: 3 } as const;

  test('a replaced run is replaced, whatever its exit; a timed-out one failed by its timeout', () => {
    assert.equal(classifyRun({ replaced: true, timedOut: false, outcome: { kind: 'signalled', signal: 'SIGTERM' } }), 'replaced');
    assert.equal(classifyRun({ replaced: false, timedOut: true, outcome: ok }), 'timed-out');
    assert.equal(classifyRun({ replaced: false, timedOut: false, outcome: ok }), 'succeeded');
    assert.equal(classifyRun({ replaced: false, timedOut: false, outcome: failed }), 'failed');
    assert.equal(classifyRun({ replaced: false, timedOut: false, outcome: undefined }), 'failed');
  });

  test('the record counts by result; skipped runs are counted, not run', () => {
    const record = new ScheduleRecord();
    assert.equal(record.describe(), '0 run(s)');
    record.add({ result: 'succeeded', startedAt: 0, durationMs: 5, description: 'exited with code 0' });
    record.add({ result: 'failed', startedAt: 10, durationMs: 5, description: 'exited with code 3' });
    record.skip();
    assert.equal(record.describe(), '2 run(s): 1 succeeded, 1 failed, 1 skipped');
    assert.equal(record.last?.description, 'exited with code 3');
    assert.equal(describeRuns({ succeeded: 0, failed: 0, 'timed-out': 2, replaced: 1, skipped: 0 }), '3 run(s): 2 timed-out, 1 replaced');
  });
});
