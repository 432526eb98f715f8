// Cuts a service's byte stream into whole lines and encodes each (see line-encoder.ts),
// producing one buffer per chunk read so it is written with one write(): nothing else can
// land inside a line. Works on bytes (no UTF-8 decoding) and holds at most maxLine bytes
// of an unfinished line: a longer one is cut into pieces, the later pieces flagged as
// continued so a reader can join them. A chunk is only read during push(): what is kept
// of it is copied, so the relay can read every pipe into one buffer.
// Whole lines that only get a prefix (the text format) go many at a time through
// frameLines (frame-lines.ts): at a million lines a second, a JavaScript object per line
// was most of corral's CPU. Lines carried over from the last chunk, over-long ones and
// JSON are encoded one by one.
import type { BufferPool } from './buffer-pool.js';
import { ByteBuilder } from './byte-builder.js';
import { frameLinesInJs, type FrameLines } from './frame-lines.js';
import type { LineEncoder } from './line-encoder.js';

const NEWLINE = 0x0a;

/** Lines framed so far, shared by every run of a service stream (for status and metrics). */
export interface LineCount {
  lines: number;
}

/** Sees every line framed, e.g. the service's LogRing (ring-keeper.ts). */
export interface LineKeeper {
  /** The line source[start, end), without its newline. */
  add(source: Buffer, start: number, end: number, continued: boolean): void;
  /** `count` whole lines: the first starts at `start`, line i ends at ends[i] (its
   * newline), and the next starts after it. `source` and `ends` are valid only during
   * the call (the next read and the next push() overwrite them). */
  addLines(source: Buffer, start: number, ends: Int32Array, count: number): void;
}

export interface FramerOptions {
  count?: LineCount;
  /** Where push() takes its output buffer from (see buffer-pool.ts): the first, smallest,
   * whose buffers hold what a chunk may need. */
  pools?: readonly BufferPool[];
  /** The addon's frameLines in corral; frameLinesInJs without it. */
  frameLines?: FrameLines;
  keeper?: LineKeeper;
}

// Where frameLines records the lines of one call; push() runs to its end before another
// starts, so every framer shares it. A chunk with more lines takes more calls.
const ENDS = new Int32Array(4096);

/** The room push() asks for to encode a chunk of `bytes`: the lines and a prefix of a few
 * dozen bytes on each of them (100-byte lines); it grows if a chunk of very short lines
 * needs more. */
export function encodedCapacity(bytes: number): number {
  return bytes + (bytes >> 1) + 256;
}

function poolFor(pools: readonly BufferPool[] | undefined, capacity: number): BufferPool | undefined {
  if (pools !== undefined) for (const pool of pools) if (capacity <= pool.bufferBytes) return pool;
  return undefined;
}

export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line being assembled already had a piece written. */
  private continued = false;
  private readonly count: LineCount;
  private readonly frameLines: FrameLines;

  constructor(
    private readonly encoder: LineEncoder,
    private readonly maxLine: number,
    private readonly options: FramerOptions = {},
  ) {
    this.count = options.count ?? { lines: 0 };
    this.frameLines = options.frameLines ?? frameLinesInJs;
  }

  // The encoded lines completed by `chunk` (with pieces of over-long lines), or
  // undefined when the chunk completed none.
  push(chunk: Buffer): Buffer | undefined {
    this.encoder.startChunk();
    const head = this.encoder.wholeLineHead();
    const capacity = encodedCapacity(chunk.length);
    const out = new ByteBuilder(capacity, poolFor(this.options.pools, capacity));
    let start = 0;
    while (start < chunk.length) {
      if (head !== undefined && this.pendingBytes === 0 && !this.continued) {
        const lines = this.frameLines(chunk, start, chunk.length, this.maxLine, head, out.bytes, out.length, ENDS);
        if (lines > 0) {
          const next = ENDS[lines - 1]! + 1;
          this.options.keeper?.addLines(chunk, start, ENDS, lines);
          out.skip(lines * head.length + next - start);
          this.count.lines += lines;
          start = next;
          continue;
        }
      }
      // A line frameLines left: carried over, continued, over-long, without room in
      // `out` (encode() makes it), or any line of a format without a common head.
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      if (this.pendingBytes === 0 && newline - start <= this.maxLine) {
        this.emit(chunk, start, newline, out);
      } else {
        this.hold(chunk.subarray(start, newline), out);
        const line = this.take();
        this.emit(line, 0, line.length, out);
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
    const line = this.take();
    this.emit(line, 0, line.length, out);
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
      const piece = this.take();
      this.emit(piece, 0, piece.length, out);
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

  private emit(source: Buffer, start: number, end: number, out: ByteBuilder): void {
    this.options.keeper?.add(source, start, end, this.continued);
    this.encoder.encode(source, start, end, this.continued, out);
    this.count.lines += 1;
  }
}
