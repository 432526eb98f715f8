// A Writable standing in for a slow log reader: it takes each write only when the test
// calls release(), so an OutputSink in front of it sees a full stream until then.
import { Writable } from 'node:stream';

export class SlowReader extends Writable {
  private readonly received: Buffer[] = [];
  private pending: (() => void)[] = [];

  constructor(highWaterMark = 16) {
    super({ highWaterMark });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    // A copy, as a reader that has taken the bytes has them: once a write's callback ran,
    // its buffer may go back to a pool (buffer-pool.ts) and be written again.
    this.received.push(Buffer.from(chunk));
    this.pending.push(callback);
  }

  // Takes everything written so far, and lets 'drain' happen.
  async release(): Promise<void> {
    while (this.pending.length > 0) {
      const callbacks = this.pending;
      this.pending = [];
      for (const callback of callbacks) callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Each write as it came. */
  chunks(): Buffer[] {
    return [...this.received];
  }

  text(): string {
    return Buffer.concat(this.received).toString();
  }
}
