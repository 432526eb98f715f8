import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationExact, parseDuration } from '../../src/config/duration.js';
import { formatDuration } from '../../src/shared/format-duration.js';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0s', 0],
    ['0.25m', 15_000],
    ['1.5ms', 2], // rounded to whole milliseconds
  ];
  for (const [text, ms] of valid) {
    test(`parseDuration: ${JSON.stringify(text)} is ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }

  test('parseDuration: surrounding whitespace is trimmed', () => {
    assert.equal(parseDuration('  10s\t'), 10_000);
    assert.equal(parseDuration('\n500ms '), 500);
  });

  const invalid = ['10', 's', 'ms', '', '   ', '10 s', '1 ms', '-1s', '+1s', '1d', '10S', '10MS', '.5s', '1.s', '1e3ms', 'ten s', '10s10', '1m30s'];
  for (const text of invalid) {
    test(`parseDuration: ${JSON.stringify(text)} is rejected`, () => {
      assert.equal(parseDuration(text), undefined);
    });
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [250, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [10_000, '10s'],
    [59_900, '59.9s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [120_000, '2m'],
    [125_000, '2m5s'],
    // Hours, not "1666m40s" (issue 16, item 9).
    [3_600_000, '1h'],
    [3_605_000, '1h5s'],
    [100_000_000, '27h46m40s'],
  ];
  for (const [ms, text] of cases) {
    test(`formatDuration: ${ms} ms is ${JSON.stringify(text)}`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  test('formatDuration: a fraction of a millisecond is rounded', () => {
    assert.equal(formatDuration(249.6), '250ms');
  });

  test('formatDuration: seconds round to the nearest one above a minute', () => {
    assert.equal(formatDuration(90_400), '1m30s');
    assert.equal(formatDuration(90_600), '1m31s');
    assert.equal(formatDuration(119_400), '1m59s');
  });

  test('formatDuration: what parseDuration accepts comes back the same', () => {
    for (const text of ['250ms', '1.5s', '10s', '2m']) assert.equal(formatDuration(parseDuration(text)!), text);
  });
});

describe('formatDurationExact', () => {
  const cases: [number, string][] = [
    [0, '0ms'],
    [250, '250ms'],
    [1500, '1500ms'],
    [1000, '1s'],
    [90_000, '90s'],
    [120_000, '2m'],
    [5_400_000, '90m'],
    [7_200_000, '2h'],
  ];
  for (const [ms, text] of cases) {
    test(`formatDurationExact: ${ms} ms is ${text}, and reads back as ${ms}`, () => {
      assert.equal(formatDurationExact(ms), text);
      assert.equal(parseDuration(text), ms);
    });
  }
});
