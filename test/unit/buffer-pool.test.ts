import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BufferPool, detach, release } from '../../src/logging/buffer-pool.js';
import { DropQueue } from '../../src/logging/drop-queue.js';
import { ByteBuilder } from '../../src/logging/byte-builder.js';
import { OutputSink } from '../../src/logging/output-sink.js';

// Pools of 64-byte buffers: a result of 32 bytes or more is lent, a shorter one copied.
const BYTES = 64;
const line = (length: number, char = 'x'): Buffer => Buffer.from(`${char.repeat(length - 1)}\n`);

function built(pool: BufferPool, bytes: Buffer): Buffer | undefined {
  const builder = new ByteBuilder(BYTES, pool);
  builder.append(bytes);
  return builder.result();
}

describe('BufferPool', () => {
  test('a lent view given back after its write serves the next builder', () => {
    const pool = new BufferPool(BYTES, 4);
    const written = built(pool, line(40, 'a'))!;
    assert.equal(pool.made, 1);
    assert.equal(pool.freeCount, 0, 'lent');
    release(written);
    assert.equal(pool.freeCount, 1);
    const next = built(pool, line(40, 'b'))!;
    assert.equal(pool.made, 1, 'no new buffer was made');
    assert.equal(next.buffer, written.buffer, 'the same memory was reused');
    assert.equal(next.toString(), line(40, 'b').toString());
  });

  test('a result under half a buffer is copied out to its size, and the buffer is free at once', () => {
    const pool = new BufferPool(BYTES, 4);
    const small = built(pool, line(20))!;
    assert.equal(small.toString(), line(20).toString());
    assert.equal(pool.freeCount, 1, 'a few bytes never pin a pool buffer');
    release(small);
    assert.equal(pool.freeCount, 1, 'what was not lent does not come back twice');
  });

  test('a buffer still out is never handed to a second builder', () => {
    const pool = new BufferPool(BYTES, 4);
    const a = new ByteBuilder(BYTES, pool);
    a.append(line(40, 'a'));
    const b = new ByteBuilder(BYTES, pool);
    b.append(line(40, 'b'));
    assert.notEqual(a.result()!.buffer, b.result()!.buffer);
    assert.equal(pool.made, 2);
  });

  test('only the exact view lent comes back, once: a subarray or a second return is ignored', () => {
    const pool = new BufferPool(BYTES, 4);
    const written = built(pool, line(40))!;
    release(written.subarray(4));
    assert.equal(pool.freeCount, 0, 'a piece of the view does not return the buffer');
    release(written);
    release(written);
    assert.equal(pool.freeCount, 1, 'returned once');
  });

  test('what was never lent is left alone: strings, plain buffers', () => {
    const pool = new BufferPool(BYTES, 4);
    release('text');
    release(Buffer.alloc(BYTES));
    assert.equal(pool.freeCount, 0);
  });

  test('at most `keep` free buffers are kept', () => {
    const pool = new BufferPool(BYTES, 2);
    const views = [1, 2, 3].map(() => built(pool, line(40))!);
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
  function deferredStream(): { stream: ConstructorParameters<typeof OutputSink>[1]; pending: (() => void)[] } {
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
    return { stream, pending };
  }

  test('a lent buffer goes back only once its write has called back', () => {
    const { stream, pending } = deferredStream();
    const pool = new BufferPool(BYTES, 4);
    const sink = new OutputSink('stdout', stream);
    sink.write(built(pool, line(40))!);
    assert.equal(pool.freeCount, 0, 'still being written');
    pending.shift()!();
    assert.equal(pool.freeCount, 1, 'back once written');
  });

  test('a closed sink, which writes nothing, gives a lent buffer back at once', () => {
    const handlers = new Map<string, (error: Error) => void>();
    const stream = {
      writableLength: 0,
      write: (): boolean => assert.fail('nothing is written once the reader is gone'),
      on(event: string, handler: (error: Error) => void): unknown {
        handlers.set(event, handler);
        return stream;
      },
    };
    const sink = new OutputSink('stdout', stream);
    handlers.get('error')!(Object.assign(new Error('gone'), { code: 'EPIPE' }));
    const pool = new BufferPool(BYTES, 4);
    sink.write(built(pool, line(40))!);
    assert.equal(pool.freeCount, 1);
    assert.equal(sink.droppedBytes, 40);
  });
});

describe('held bytes are detached from the pool', () => {
  test('detach copies a lent view to its size and gives its memory back at once', () => {
    const pool = new BufferPool(BYTES, 4);
    const view = built(pool, line(40))!;
    const held = detach(view);
    assert.equal(held.toString(), line(40).toString());
    assert.notEqual(held.buffer, view.buffer);
    assert.equal(pool.freeCount, 1);
    const plain = Buffer.from('not lent\n');
    assert.equal(detach(plain), plain, 'what was never lent is held as it is');
  });

  test('a drop-mode queue holds copies the size of its lines, not pool buffers', () => {
    const pool = new BufferPool(BYTES, 4);
    const busy = { isBusy: true, write: () => assert.fail('the sink is busy'), enqueue: () => undefined };
    const queue = new DropQueue(50, busy as never, () => undefined);
    queue.forward(built(pool, line(40, 'k'))!);
    assert.equal(pool.freeCount, 1, 'the pool buffer is free again');
    queue.forward(built(pool, line(40, 'd'))!);
    assert.equal(pool.freeCount, 1, 'a chunk dropped whole gives its buffer back too');
    assert.equal(queue.take()?.toString(), line(40, 'k').toString());
  });
});
