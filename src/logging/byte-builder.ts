// One growing buffer that a chunk's encoded lines are copied into, so a chunk of
// hundreds of lines costs one allocation and makes almost no garbage (per-line Buffer
// views and a final concat would; at a million lines a second that is most of the work).
export class ByteBuilder {
  private buffer: Buffer;
  private length = 0;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  append(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  appendRange(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.buffer.set(source.subarray(start, end), this.length);
    this.length += end - start;
  }

  appendByte(byte: number): void {
    this.reserve(1);
    this.buffer[this.length++] = byte;
  }

  /** What was appended, or undefined if nothing was. */
  result(): Buffer | undefined {
    return this.length === 0 ? undefined : this.buffer.subarray(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}
