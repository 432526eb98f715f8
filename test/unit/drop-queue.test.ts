import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DropQueue, type Dropped } from '../../src/logging/drop-queue.js';
import { OutputSink } from '../../src/logging/output-sink.js';
import { SlowReader } from '../helpers/slow-reader.js';

const lines = (...texts: string[]): Buffer => Buffer.from(texts.map((text) => `${text}\n`).join(''));

// A drop queue in front of a reader that takes nothing until released; the sink is made
// busy first by a write the reader has not taken.
function stalled(budget: number, now = () => 0): { queue: DropQueue; reader: SlowReader; reports: Dropped[] } {
  const reader = new SlowReader(4);
  const sink = new OutputSink('stdout', reader);
  sink.write('held\n');
  const reports: Dropped[] = [];
  return { queue: new DropQueue(budget, sink, (dropped) => reports.push(dropped), now), reader, reports };
}

describe('DropQueue', () => {
  test('output flowing: lines go straight out, nothing is held', async () => {
    const reader = new SlowReader(1024);
    const queue = new DropQueue(100, new OutputSink('stdout', reader), () => assert.fail('nothing is dropped'));
    queue.forward(lines('one', 'two'));
    assert.equal(queue.size, 0);
    await reader.release();
    assert.equal(reader.text(), 'one\ntwo\n');
  });

  test('output blocked: lines wait within the budget and come out in order once it drains', async () => {
    const { queue, reader, reports } = stalled(100);
    queue.forward(lines('one', 'two'));
    queue.forward(lines('three'));
    assert.equal(queue.size, 14);
    await reader.release();
    assert.equal(reader.text(), 'held\none\ntwo\nthree\n');
    assert.deepEqual(reports, []);
  });

  test('past the budget whole lines are dropped, never cut; the count is reported once output flows', async () => {
    const { queue, reader, reports } = stalled(10);
    queue.forward(lines('aaaa', 'bbbb', 'cccc')); // 15 bytes: keeps "aaaa\nbbbb\n"
    queue.forward(lines('d'));
    assert.equal(queue.size, 10, 'never more than the budget');
    assert.deepEqual(reports, [], 'not reported while output is blocked');
    await reader.release();
    assert.equal(reader.text(), 'held\naaaa\nbbbb\n');
    assert.deepEqual(reports, [{ lines: 2, bytes: 7 }]);
  });

  test('a line that does not fit is dropped even when a shorter later one fits', async () => {
    const { queue, reader } = stalled(8);
    queue.forward(lines('aaaa')); // 5
    queue.forward(lines('bbbb')); // would make 10: dropped
    queue.forward(lines('c')); // 2 more: kept
    await reader.release();
    assert.equal(reader.text(), 'held\naaaa\nc\n');
  });

  test('while output stays blocked the loss is still reported, at most every 10 s', () => {
    let clock = 0;
    const { queue, reports } = stalled(4, () => clock);
    queue.forward(lines('toolong'));
    assert.deepEqual(reports, []);
    clock = 10_000;
    queue.forward(lines('again!'));
    assert.deepEqual(reports, [{ lines: 2, bytes: 15 }]);
  });
});
