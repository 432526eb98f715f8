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
      const line = Buffer.concat([this.partial, chunk.subarray(start, newline)]);
      this.partial = Buffer.alloc(0);
      start = newline + 1;
      if (this.test(line)) return;
    }
    const rest = Buffer.concat([this.partial, chunk.subarray(start)]);
    // An over-long line is tested by its first maxLine bytes, as the relay cuts it.
    if (rest.length >= this.maxLine) {
      this.partial = Buffer.alloc(0);
      this.test(rest.subarray(0, this.maxLine));
    } else {
      this.partial = rest;
    }
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
