// Watches a service's output for a line matching a pattern (the `ready: {log: ...}` check).
// It sees the same bytes the relay frames, keeps at most maxLine bytes of an unfinished
// line, and decodes a line only to test it.

const NEWLINE = 0x0a;

export class LineWatcher {
  private partial: Buffer = Buffer.alloc(0);
  private matched = false;

  constructor(
    private readonly pattern: RegExp,
    private readonly maxLine: number,
    private readonly onMatch: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.matched) return;
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      if (this.hold(chunk.subarray(start, newline))) return;
      const line = this.partial;
      this.partial = Buffer.alloc(0);
      start = newline + 1;
      if (this.test(line)) return;
    }
    this.hold(chunk.subarray(start));
  }

  // Adds bytes of an unfinished line. An over-long line is tested in pieces of maxLine
  // bytes, as the relay cuts it, whatever the chunks it arrived in.
  private hold(bytes: Buffer): boolean {
    let rest = bytes;
    while (this.partial.length + rest.length > this.maxLine) {
      const room = this.maxLine - this.partial.length;
      const piece = Buffer.concat([this.partial, rest.subarray(0, room)]);
      this.partial = Buffer.alloc(0);
      rest = rest.subarray(room);
      if (this.test(piece)) return true;
    }
    this.partial = Buffer.concat([this.partial, rest]);
    return false;
  }

  private test(line: Buffer): boolean {
    const text = line.toString('utf8').replace(/\r$/, '');
    if (!this.pattern.test(text)) return false;
    this.matched = true;
    this.partial = Buffer.alloc(0);
    this.onMatch(text);
    return true;
  }
}
