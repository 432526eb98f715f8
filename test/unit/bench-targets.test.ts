// The cost benchmark's verdicts (bench/cost-report.ts): a target is met, missed or not
// measured from the medians of one run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ratio, Samples, targetRow } from '../../bench/cost-report.js';

function samplesOf(values: Record<string, number[]>): Samples {
  const samples = new Samples();
  for (const [key, list] of Object.entries(values)) for (const value of list) samples.add(key, value);
  return samples;
}

const markOf = (row: string): string => row.split('|').at(-2)!.trim();

describe('ratio targets', () => {
  test('within the limit is met, past it missed', () => {
    const s = samplesOf({ a: [12, 11, 13], b: [10, 10, 10], c: [13, 13, 13] });
    assert.equal(markOf(targetRow(ratio(s, 'x', ['a', 'ms'], ['b', 'ms'], 1.2))), '✅ met');
    assert.equal(markOf(targetRow(ratio(s, 'x', ['c', 'ms'], ['b', 'ms'], 1.2))), '❌ missed');
  });

  test('no CPU at all on both sides is equal (1x), not unmeasured', () => {
    const s = samplesOf({ many: [0, 0, 0], few: [0, 0, 0] });
    const row = targetRow(ratio(s, 'idle CPU', ['many', 'ms/s', 2], ['few', 'ms/s', 2], 1.2));
    assert.match(row, /\| 1\.00x \|/);
    assert.equal(markOf(row), '✅ met');
  });

  test('some CPU against none is missed; no samples is not measured', () => {
    const s = samplesOf({ some: [0.1], none: [0] });
    assert.equal(markOf(targetRow(ratio(s, 'idle CPU', ['some', 'ms/s', 2], ['none', 'ms/s', 2], 1.2))), '❌ missed');
    assert.equal(markOf(targetRow(ratio(s, 'idle CPU', ['absent', 'ms/s', 2], ['none', 'ms/s', 2], 1.2))), '— not measured');
  });
});
