// A stand-in for process.stdout that fails on demand, as a full disk or a gone reader
// makes it: each write's callback gets the error, 'error' is emitted too, and, like
// Node's stdio streams (which undo their destruction), it takes writes again afterwards.
import { EventEmitter } from 'node:events';
import type { OutputStream } from '../../src/logging/output-sink.js';

export class FlakyStream extends EventEmitter implements OutputStream {
  readonly writableLength = 0;
  /** The errno name writes fail with now; undefined: they succeed. */
  failWith: string | undefined;
  private readonly received: Buffer[] = [];

  write(bytes: Buffer | string, callback: (error?: Error | null) => void): boolean {
    const code = this.failWith;
    if (code === undefined) {
      this.received.push(Buffer.from(bytes));
      process.nextTick(callback, null);
      return true;
    }
    const error = Object.assign(new Error(`write ${code}`), { code });
    process.nextTick(() => {
      callback(error);
      this.emit('error', error);
    });
    return false;
  }

  text(): string {
    return Buffer.concat(this.received).toString();
  }
}
