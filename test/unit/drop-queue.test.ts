import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DropQueue } from '../../src/logging/drop-queue.js';

const lines = (...texts: string[]): Buffer => Buffer.from(texts.map((text) => `${text}\n`).join(''));

describe('DropQueue', () => {
  test('within the budget everything is kept, in order', () => {
    const queue = new DropQueue(100);
    queue.add(lines('one', 'two'));
    queue.add(lines('three'));
    const { bytes, dropped } = queue.take();
    assert.equal(bytes?.toString(), 'one\ntwo\nthree\n');
    assert.deepEqual(dropped, { lines: 0, bytes: 0 });
    assert.ok(queue.isEmpty);
  });

  test('past the budget, whole lines are dropped and counted; none is cut', () => {
    const queue = new DropQueue(10);
    queue.add(lines('aaaa', 'bbbb', 'cccc')); // 15 bytes: keeps 10 ("aaaa\nbbbb\n")
    queue.add(lines('d'));
    const { bytes, dropped } = queue.take();
    assert.equal(bytes?.toString(), 'aaaa\nbbbb\n');
    assert.deepEqual(dropped, { lines: 2, bytes: 7 });
  });

  test('a line that does not fit is dropped even when a shorter later one would fit', () => {
    const queue = new DropQueue(8);
    queue.add(lines('aaaa')); // 5
    queue.add(lines('bbbb')); // would make 10: dropped
    queue.add(lines('c')); // 2 more fits: kept (drop is per line, not "drop everything after")
    assert.equal(queue.take().bytes?.toString(), 'aaaa\nc\n');
  });

  test('a kept part is copied, so the dropped rest of a big chunk is not held', () => {
    const queue = new DropQueue(4);
    const chunk = lines('ab', 'x'.repeat(10_000)); // bigger than Buffer's pool: its own memory
    queue.add(chunk);
    const { bytes } = queue.take();
    assert.equal(bytes?.toString(), 'ab\n');
    assert.ok(bytes?.buffer !== chunk.buffer, 'the kept bytes do not share the chunk\'s memory');
  });

  test('take resets the counts: each report says what was dropped since the last', () => {
    const queue = new DropQueue(3);
    queue.add(lines('toolong'));
    assert.deepEqual(queue.take().dropped, { lines: 1, bytes: 8 });
    assert.deepEqual(queue.take(), { bytes: undefined, dropped: { lines: 0, bytes: 0 } });
  });
});
