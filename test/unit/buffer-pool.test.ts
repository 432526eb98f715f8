import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BufferPool, detach, release } from '../../src/logging/buffer-pool.js';
import { DropQueue } from '../../src/logging/drop-queue.js';
import { ByteBuilder } from '../../src/logging/byte-builder.js';
import { OutputSink } from '../../src/logging/output-sink.js';

describe('BufferPool', () => {
  test('a lent view given back after its write serves the next builder', () => {
    const pool = new BufferPool(1024, 4);
    const first = new ByteBuilder(100, pool);
    first.append(Buffer.from('hello\n'));
    const written = first.result()!;
    assert.equal(pool.made, 1);
    release(written);
    assert.equal(pool.freeCount, 1);
    const second = new ByteBuilder(100, pool);
    second.append(Buffer.from('again\n'));
    const next = second.result()!;
    assert.equal(pool.made, 1, 'no new buffer was made');
    assert.equal(next.buffer, written.buffer, 'the same memory was reused');
  });

  test('a buffer still out is never handed to a second builder', () => {
    const pool = new BufferPool(1024, 4);
    const a = new ByteBuilder(100, pool);
    a.append(Buffer.from('a\n'));
    const b = new ByteBuilder(100, pool);
    b.append(Buffer.from('b\n'));
    assert.notEqual(a.result()!.buffer, b.result()!.buffer);
    assert.equal(pool.made, 2);
  });

  test('only the exact view lent comes back, once: a subarray or a second return is ignored', () => {
    const pool = new BufferPool(1024, 4);
    const builder = new ByteBuilder(100, pool);
    builder.append(Buffer.from('one\ntwo\n'));
    const written = builder.result()!;
    release(written.subarray(4));
    assert.equal(pool.freeCount, 0, 'a piece of the view does not return the buffer');
    release(written);
    release(written);
    assert.equal(pool.freeCount, 1, 'returned once');
  });

  test('what was never lent is left alone: strings, plain buffers, another pool', () => {
    const pool = new BufferPool(1024, 4);
    release('text');
    release(Buffer.alloc(1024));
    assert.equal(pool.freeCount, 0);
  });

  test('at most `keep` free buffers are kept', () => {
    const pool = new BufferPool(1024, 2);
    const views = [1, 2, 3].map(() => {
      const builder = new ByteBuilder(10, pool);
      builder.append(Buffer.from('x\n'));
      return builder.result()!;
    });
    for (const view of views) release(view);
    assert.equal(pool.freeCount, 2);
  });

  test('a capacity larger than the pool buffers is allocated apart, and never returned', () => {
    const pool = new BufferPool(16, 2);
    const builder = new ByteBuilder(100, pool);
    builder.append(Buffer.alloc(50, 0x61));
    release(builder.result()!);
    assert.equal(pool.made, 0);
    assert.equal(pool.freeCount, 0);
  });

  test('a builder that outgrows its pool buffer puts it back at once; an empty one too', () => {
    const pool = new BufferPool(16, 2);
    const growing = new ByteBuilder(8, pool);
    growing.append(Buffer.alloc(40, 0x61));
    assert.equal(pool.freeCount, 1, 'the outgrown buffer is free again');
    assert.equal(growing.result()!.length, 40);
    const empty = new ByteBuilder(8, pool);
    assert.equal(empty.result(), undefined);
    assert.equal(pool.freeCount, 1, 'taken and put back');
  });
});

describe('OutputSink and the pool', () => {
  test('a lent buffer goes back only once its write has called back', () => {
    const pending: (() => void)[] = [];
    const stream = {
      writableLength: 0,
      write(_bytes: Buffer | string, callback: (error?: Error | null) => void): boolean {
        pending.push(() => callback(null));
        return true;
      },
      on(): unknown {
        return stream;
      },
    };
    const pool = new BufferPool(1024, 4);
    const sink = new OutputSink('stdout', stream);
    const builder = new ByteBuilder(100, pool);
    builder.append(Buffer.from('line\n'));
    sink.write(builder.result()!);
    assert.equal(pool.freeCount, 0, 'still being written');
    pending.shift()!();
    assert.equal(pool.freeCount, 1, 'back once written');
  });
});

describe('held bytes are detached from the pool', () => {
  const lentView = (pool: BufferPool, text: string): Buffer => {
    const builder = new ByteBuilder(100, pool);
    builder.append(Buffer.from(text));
    return builder.result()!;
  };

  test('detach copies a lent view to its size and gives its memory back at once', () => {
    const pool = new BufferPool(1024, 4);
    const view = lentView(pool, 'a few bytes\n');
    const held = detach(view);
    assert.equal(held.toString(), 'a few bytes\n');
    assert.equal(held.length, 12);
    assert.notEqual(held.buffer, view.buffer);
    assert.equal(pool.freeCount, 1);
    const plain = Buffer.from('not lent\n');
    assert.equal(detach(plain), plain, 'what was never lent is held as it is');
  });

  test('a drop-mode queue holds copies the size of its lines, not pool buffers', () => {
    const pool = new BufferPool(64 * 1024, 4);
    const busy = { isBusy: true, write: () => assert.fail('the sink is busy'), enqueue: () => undefined };
    const queue = new DropQueue(1024, busy as never, () => undefined);
    queue.forward(lentView(pool, 'kept\n'));
    assert.equal(pool.freeCount, 1, 'the pool buffer is free again');
    queue.forward(lentView(pool, 'x'.repeat(2000) + '\n'));
    assert.equal(pool.freeCount, 1, 'a chunk dropped whole gives its buffer back too');
    assert.equal(queue.take()?.toString(), 'kept\n');
  });
});
