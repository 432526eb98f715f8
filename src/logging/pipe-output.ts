// corral's stdout or stderr when it is a pipe, as under Docker and Kubernetes: each write
// goes to write(2) at once while nothing waits in Node's stream, which is nearly always
// (the pipe is 1 MiB: output-pipes.ts, and Node made it non-blocking when it opened
// process.stdout); only what the pipe cannot take at once goes through the stream, which
// waits for the pipe to drain and keeps the order. Node's write path for a stream (the
// Writable, its callback a tick later, async hooks) cost more per write than the
// syscall, and was a good part of what V8's optimizing compiler had to compile for
// corral to relay fast (issue 20).
import { writeSync } from 'node:fs';
import type { OutputStream } from './output-sink.js';
import { OutputWriteError, type WriteFd } from './file-output.js';
import { errorCode } from '../shared/system-error.js';

export class PipeOutput implements OutputStream {
  constructor(
    private readonly stream: OutputStream,
    readonly fd: number,
    private readonly writeFd: WriteFd = writeSync,
  ) {}

  get writableLength(): number {
    return this.stream.writableLength;
  }

  // Calls `callback` before it returns when write(2) took it all, or failed for good
  // (EPIPE); otherwise the stream calls it once it has written the rest.
  write(bytes: Buffer | string, callback: (error?: Error | null) => void): boolean {
    if (typeof bytes === 'string' || this.stream.writableLength > 0) return this.stream.write(bytes, callback);
    let written = 0;
    try {
      written = this.writeFd(this.fd, bytes, 0, bytes.length);
    } catch (error) {
      // EAGAIN: the pipe is full; the stream waits for it. Anything else is the write's outcome.
      if (errorCode(error) !== 'EAGAIN') {
        callback(error as Error);
        return true;
      }
    }
    if (written >= bytes.length) {
      callback(null);
      return true;
    }
    // A failure of the rest is told with what went out directly, so it is not counted as dropped.
    return this.stream.write(written === 0 ? bytes : bytes.subarray(written), (error) =>
      callback(error ? new OutputWriteError(errorCode(error) ?? 'EIO', written, { cause: error }) : error),
    );
  }

  on(event: 'drain', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'drain' | 'error', listener: (() => void) & ((error: Error) => void)): this {
    this.stream.on(event as 'drain', listener);
    return this;
  }
}
