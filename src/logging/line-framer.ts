// Cuts a service's byte stream into whole lines and prefixes each, producing one buffer per
// chunk read so it is written with one write(): nothing else can land inside a line.
// Works on bytes (no UTF-8 decoding: invalid bytes pass through untouched) and holds at
// most maxLine bytes of an unfinished line: a longer one is cut into pieces, the later
// pieces marked with '+' instead of '|' so a reader can join them.

const NEWLINE = 0x0a;

export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The line being assembled already had a piece written. */
  private continued = false;
  private readonly head: Buffer;
  private readonly tail: Buffer;

  constructor(
    label: string,
    private readonly maxLine: number,
  ) {
    this.head = Buffer.from(`${label} | `);
    this.tail = Buffer.from(`${label} + `);
  }

  // The prefixed lines completed by `chunk` (with pieces of over-long lines), or
  // undefined when the chunk completed none.
  push(chunk: Buffer): Buffer | undefined {
    const out: Buffer[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.hold(chunk.subarray(start, newline), out);
      this.emit(this.take(), out);
      this.continued = false;
      start = newline + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start), out);
    return out.length === 0 ? undefined : Buffer.concat(out);
  }

  // At EOF: the unfinished line, completed with a newline.
  end(): Buffer | undefined {
    if (this.pendingBytes === 0) return undefined;
    const out: Buffer[] = [];
    this.emit(this.take(), out);
    this.continued = false;
    return Buffer.concat(out);
  }

  // Adds bytes of an unfinished line; whole maxLine pieces are written out at once.
  private hold(bytes: Buffer, out: Buffer[]): void {
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
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  private take(): Buffer {
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private emit(line: Buffer, out: Buffer[]): void {
    out.push(this.continued ? this.tail : this.head, line, NEWLINE_BUFFER);
  }
}

const NEWLINE_BUFFER = Buffer.from('\n');
