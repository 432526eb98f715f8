// corral's stdout or stderr when it is a regular file (`corral > /var/log/corral.log`) or
// a character device (/dev/null, /dev/full). Node then makes process.stdout a
// SyncWriteStream, which ignores a short write: when the disk fills up in the middle of a
// line, write(2) stores a piece of it, Node drops the rest without an error, and the next
// line is glued to the piece. For such a descriptor the sink writes itself, synchronously
// as Node would, and keeps lines apart: a short write is continued, and a line that a
// failure left cut is ended with a newline before the next write that succeeds.
import { writeSync } from 'node:fs';
import type { OutputStream } from './output-sink.js';
import { errorCode } from '../shared/system-error.js';

const NEWLINE = Buffer.from('\n');

/** A write that failed after `written` bytes of its chunk were out (often 0). */
export class OutputWriteError extends Error {
  override name = 'OutputWriteError';
  constructor(
    readonly code: string,
    readonly written: number,
    options: ErrorOptions,
  ) {
    super(`write failed with ${code} after ${written} byte(s)`, options);
  }
}

export type WriteFd = (fd: number, bytes: Buffer, offset: number, length: number) => number;

export class FileOutput implements OutputStream {
  /** Writes are synchronous: nothing is ever buffered, so the sink never waits for 'drain'. */
  readonly writableLength = 0;
  /** The last write stopped inside a line. */
  private cut = false;

  constructor(
    readonly fd: number,
    private readonly writeFd: WriteFd = writeSync,
  ) {}

  // Calls `callback` before it returns: null, or an OutputWriteError with the errno's name.
  write(bytes: Buffer | string, callback: (error?: Error | null) => void): boolean {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    const ending = this.cut ? this.writeAll(NEWLINE) : undefined;
    if (ending?.error === undefined) this.cut = false;
    const { written, error } = ending?.error === undefined ? this.writeAll(data) : { written: 0, error: ending.error };
    if (error === undefined) {
      callback(null);
      return true;
    }
    if (written > 0 && data[written - 1] !== 0x0a) this.cut = true;
    callback(new OutputWriteError(errorCode(error) ?? 'EIO', written, { cause: error }));
    return true;
  }

  // Never full, so never 'drain'; failures go to each write's callback.
  on(): this {
    return this;
  }

  // Writes all of `data`: how much was written, and the failure that stopped it, if one did.
  private writeAll(data: Buffer): { written: number; error?: unknown } {
    let written = 0;
    try {
      while (written < data.length) {
        const count = this.writeFd(this.fd, data, written, data.length - written);
        if (count <= 0) return { written, error: Object.assign(new Error('write(2) wrote nothing'), { code: 'EIO' }) };
        written += count;
      }
    } catch (error) {
      return { written, error };
    }
    return { written };
  }
}
