// Buffers for the encoded lines of one chunk read, reused once written. Allocated fresh
// for every chunk, they are garbage the JS heap hardly notices: a few hundred bytes of
// object on the heap for up to 96 KiB outside it, so under load tens of MiB of them piled
// up between two collections, and the peak RSS while relaying depended on when V8 got
// round to one. A buffer comes back only when its write is done (the sink's write
// callback), and only as the exact view that was lent out: a subarray of it, or a buffer
// that was never lent, is not taken back, so no code that still holds part of one can see
// it overwritten.

interface Lent {
  view: Buffer;
  pool: BufferPool;
}

/** Which view of which pooled memory is out, and to which pool it goes back. */
const lent = new WeakMap<ArrayBuffer, Lent>();

export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers made because none was free: how far `keep` falls short under load. */
  made = 0;

  constructor(
    /** The size of every buffer of the pool; a larger request is not the pool's. */
    readonly bufferBytes: number,
    /** Free buffers kept at most; more are left to the garbage collector. */
    readonly keep: number,
  ) {}

  /** A whole buffer of bufferBytes, owned by the caller until it is lent or put back. */
  get(): Buffer {
    const memory = this.free.pop();
    if (memory !== undefined) return Buffer.from(memory);
    this.made += 1;
    return Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** A buffer from get() that was never lent: nothing refers to it any more. */
  put(buffer: Buffer): void {
    if (buffer.byteLength === this.bufferBytes && buffer.byteOffset === 0) this.giveBack(buffer.buffer as ArrayBuffer);
  }

  /** `view` (of a buffer from get()) is handed on, to come back through release() or detach(). */
  lend(view: Buffer): void {
    lent.set(view.buffer as ArrayBuffer, { view, pool: this });
  }

  /** Free buffers held now. */
  get freeCount(): number {
    return this.free.length;
  }

  /** Memory of one of the pool's buffers that nothing refers to any more. */
  giveBack(memory: ArrayBuffer): void {
    if (this.free.length < this.keep) this.free.push(memory);
  }
}

// The pool a lent view goes back to, no longer counted as lent; undefined for anything
// that is not exactly a lent view.
function reclaim(bytes: Buffer): BufferPool | undefined {
  const memory = bytes.buffer as ArrayBuffer;
  const out = lent.get(memory);
  if (out === undefined || out.view !== bytes) return undefined;
  lent.delete(memory);
  return out.pool;
}

// Called with what a write was given once the write is done with it, or by whoever holds
// a lent view and is done with it: a lent view goes back to its pool; anything else is
// left alone.
export function release(bytes: Buffer | string): void {
  if (typeof bytes === 'string') return;
  reclaim(bytes)?.giveBack(bytes.buffer as ArrayBuffer);
}

// For bytes that are about to be held rather than written (a drop-mode queue): a lent
// view is copied out, to exactly its size, and its memory goes back to the pool at once.
// Held, a view would keep a whole pool buffer, and a queue counts the bytes it holds, not
// the buffers under them. Only the holder of the exact view may call this: it must be the
// one reference to it.
export function detach(bytes: Buffer): Buffer {
  const pool = reclaim(bytes);
  if (pool === undefined) return bytes;
  const copy = Buffer.from(bytes);
  pool.giveBack(bytes.buffer as ArrayBuffer);
  return copy;
}
