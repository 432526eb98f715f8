// One growing buffer that a chunk's encoded lines are copied into, so a chunk of
// hundreds of lines costs one allocation and makes almost no garbage (per-line Buffer
// views and a final concat would; at a million lines a second that is most of the work).
// Given a pool, it starts in one of the pool's buffers when the capacity fits, and lends
// its result out of the pool when it fills at least half of it (see buffer-pool.ts).
import type { BufferPool } from './buffer-pool.js';

export class ByteBuilder {
  private buffer: Buffer;
  private used = 0;
  /** The pool the buffer came from, while it is the pool's. */
  private pool: BufferPool | undefined;

  constructor(capacity: number, pool?: BufferPool) {
    if (pool !== undefined && capacity <= pool.bufferBytes) {
      this.pool = pool;
      this.buffer = pool.get();
    } else {
      this.buffer = Buffer.allocUnsafe(capacity);
    }
  }

  append(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  appendRange(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.buffer.set(source.subarray(start, end), this.used);
    this.used += end - start;
  }

  appendByte(byte: number): void {
    this.reserve(1);
    this.buffer[this.used++] = byte;
  }

  /** The buffer appended to, for a writer that fills it directly from `length` on (see
   * frame-lines.ts), then calls skip(); valid until the next append or reserve(). */
  get bytes(): Buffer {
    return this.buffer;
  }

  get length(): number {
    return this.used;
  }

  /** Counts `bytes` written straight into `bytes` from `length` on. */
  skip(bytes: number): void {
    if (bytes < 0 || this.used + bytes > this.buffer.length) throw new RangeError(`ByteBuilder.skip(${bytes}) past its ${this.buffer.length} bytes`);
    this.used += bytes;
  }

  /** What was appended, or undefined if nothing was. The builder is done with after this. */
  result(): Buffer | undefined {
    if (this.used === 0) {
      this.pool?.put(this.buffer);
      this.pool = undefined;
      return undefined;
    }
    const bytes = this.buffer.subarray(0, this.used);
    const pool = this.pool;
    this.pool = undefined;
    if (pool === undefined) return bytes;
    // Lent, a view pins its whole pool buffer until its write is done, and Node's stream
    // queues up to 16 KiB of writes: a few lines must not hold 128 KiB each. Less than
    // half a buffer is copied out to its size, and the buffer is free again at once.
    if (this.used * 2 < pool.bufferBytes) {
      const copy = Buffer.allocUnsafe(this.used);
      this.buffer.copy(copy, 0, 0, this.used);
      pool.put(this.buffer);
      return copy;
    }
    pool.lend(bytes);
    return bytes;
  }

  /** Makes room for `bytes` more. */
  reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(grown, 0, 0, this.used);
    // The pool's buffer was never handed on: it can serve the next chunk.
    this.pool?.put(this.buffer);
    this.pool = undefined;
    this.buffer = grown;
  }
}
