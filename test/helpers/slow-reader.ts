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
    this.received.push(chunk);
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

  text(): string {
    return Buffer.concat(this.received).toString();
  }
}
