// Cuts a service's byte stream into whole lines and encodes each (see line-encoder.ts),
// producing one buffer per chunk read so it is written with one write(): nothing else can
// land inside a line. Works on bytes (no UTF-8 decoding) and holds at most maxLine bytes
// of an unfinished line: a longer one is cut into pieces, the later pieces flagged as
// continued so a reader can join them. A chunk is only read during push(): what is kept
// of it is copied, so the relay can read every pipe into one buffer.
import type { BufferPool } from './buffer-pool.js';
import { ByteBuilder } from './byte-builder.js';
import type { LineEncoder } from './line-encoder.js';

const NEWLINE = 0x0a;

/** Lines framed so far, shared by every run of a service stream (for status and metrics). */
export interface LineCount {
  lines: number;
}

export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line being assembled already had a piece written. */
  private continued = false;
  constructor(
    private readonly encoder: LineEncoder,
    private readonly maxLine: number,
    private readonly count: LineCount = { lines: 0 },
    /** Where push() takes its output buffer from (see buffer-pool.ts). */
    private readonly pool?: BufferPool,
  ) {}

  // The encoded lines completed by `chunk` (with pieces of over-long lines), or
  // undefined when the chunk completed none.
  push(chunk: Buffer): Buffer | undefined {
    this.encoder.startChunk();
    // Room for the lines and a prefix of a few dozen bytes on each of them (100-byte
    // lines); it grows if a chunk of very short lines needs more.
    const out = new ByteBuilder(chunk.length + (chunk.length >> 1) + 256, this.pool);
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      if (this.pendingBytes === 0 && newline - start <= this.maxLine) {
        // The common case: a whole line inside this chunk, encoded straight from it.
        this.encoder.encode(chunk, start, newline, this.continued, out);
        this.count.lines += 1;
      } else {
        this.hold(chunk.subarray(start, newline), out);
        this.emit(this.take(), out);
      }
      this.continued = false;
      start = newline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start), out);
    return out.result();
  }

  // At EOF: the unfinished line, completed with a newline.
  end(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    this.encoder.startChunk();
    const out = new ByteBuilder(this.pendingBytes + 256);
    this.emit(this.take(), out);
    this.continued = false;
    return out.result();
  }

  // Adds bytes of an unfinished line; whole maxLine pieces are written out at once.
  private hold(bytes: Buffer, out: ByteBuilder): void {
    let rest = bytes;
    while (this.pendingBytes + rest.length > this.maxLine) {
      const room = this.maxLine - this.pendingBytes;
      this.pending.push(rest.subarray(0, room));
      this.pendingBytes = this.maxLine;
      this.emit(this.take(), out);
      this.continued = true;
      rest = rest.subarray(room);
    }
    if (rest.length > 0) {
      // A copy: the chunk it is part of may be overwritten by the next read.
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
  }

  private take(): Buffer {
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private emit(line: Buffer, out: ByteBuilder): void {
    this.encoder.encode(line, 0, line.length, this.continued, out);
    this.count.lines += 1;
  }
}
