// corral's stdout or stderr as the one writer in front of the file descriptor.
// process.stdout on a pipe is asynchronous and buffers without limit, so the sink never
// lets it: while the stream is full (write() returned false, until 'drain'), sources with
// lines to write wait their turn, and the sink takes one batch from each in rotation as
// the stream drains. A waiting block-mode relay has stopped reading its pipe, so its
// service blocks in write(); a drop-mode queue holds at most its budget, and so does the
// queue of corral's own lines (logger.ts). Taking turns keeps a chatty service from
// starving a quiet one.
// A failed write must not crash PID 1, and must not end the log for good when the failure
// passes. EPIPE (and ECONNRESET, EBADF) means the reader is gone: output is dropped from
// then on, and the sources keep flowing. Anything else (ENOSPC on a full disk, EDQUOT,
// EIO, EAGAIN) may pass: what failed is dropped and counted, every later write tries
// again, and the first that succeeds ends the episode, which watchers are told about.
import { release } from './buffer-pool.js';
import { countLines } from './drop-queue.js';
import { directOutputFor } from './direct-output.js';
import { OutputWriteError } from './file-output.js';
import { errorCode } from '../shared/system-error.js';

export interface OutputSource {
  /** The next bytes to write (whole lines), or undefined if it has none now. */
  take(): Buffer | undefined;
  /** Whether it still has bytes waiting after a take. */
  readonly hasMore: boolean;
}

/** What the sink needs of a stream: a Writable (process.stdout), or a FileOutput. */
export interface OutputStream {
  write(bytes: Buffer | string, callback: (error?: Error | null) => void): boolean;
  readonly writableLength: number;
  on(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type OutputTrouble =
  /** A write failed with `code` where earlier ones had not: lines are dropped until one succeeds. */
  | { kind: 'failing'; stream: 'stdout' | 'stderr'; code: string }
  /** A write succeeded again: what was dropped since it started failing. */
  | { kind: 'recovered'; stream: 'stdout' | 'stderr'; code: string; lines: number; bytes: number }
  /** The reader is gone for good: nothing more is written. */
  | { kind: 'closed'; stream: 'stdout' | 'stderr'; code: string };

const READER_GONE = new Set(['EPIPE', 'ECONNRESET', 'EBADF', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);
const FLUSH_POLL_MS = 10;

export class OutputSink {
  private closed = false;
  private full = false;
  /** Sources with bytes waiting, in turn order. */
  private readonly turns: OutputSource[] = [];
  private readonly output: OutputStream;
  /** What failed since writes started failing; undefined while they succeed. */
  private failing: { code: string; lines: number; bytes: number } | undefined;
  private readonly watchers: ((trouble: OutputTrouble) => void)[] = [];
  /** Bytes never written: the reader was gone, or the write failed. */
  droppedBytes = 0;

  constructor(
    readonly name: 'stdout' | 'stderr',
    stream: OutputStream,
  ) {
    this.output = directOutputFor(stream);
    // Each write's callback accounts for its bytes. Node emits 'error' as well, which
    // would throw without a listener; a stream that only emits it is taken as closed.
    stream.on('error', (error: Error) => {
      if (READER_GONE.has(errorCode(error) ?? '')) this.close(errorCode(error)!);
    });
    stream.on('drain', () => {
      this.full = false;
      this.pump();
    });
  }

  /** Sources waiting for their turn. */
  get waiting(): number {
    return this.turns.length;
  }

  /** A source may write directly only when this is false; otherwise it must enqueue. */
  get isBusy(): boolean {
    return this.full || this.turns.length > 0;
  }

  // Tells `watcher` about failures (see OutputTrouble), never from inside a write: a
  // watcher that logs may write to this very sink.
  watch(watcher: (trouble: OutputTrouble) => void): void {
    this.watchers.push(watcher);
  }

  // Writes at once, queue or not: for a source's fast path and plain command output.
  write(bytes: Buffer | string): void {
    if (this.closed) {
      this.droppedBytes += bytes.length;
      release(bytes);
      return;
    }
    if (!this.output.write(bytes, (error) => this.settle(bytes, error))) this.full = true;
  }

  // `source` has bytes waiting: it takes turns until it has none.
  enqueue(source: OutputSource): void {
    if (!this.turns.includes(source)) this.turns.push(source);
    this.pump();
  }

  // Resolves once every waiting source is written and the stream has nothing buffered,
  // or after timeoutMs.
  async flush(timeoutMs: number): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!this.closed && (this.turns.length > 0 || this.output.writableLength > 0) && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, FLUSH_POLL_MS));
    }
  }

  private pump(): void {
    while (!this.full && this.turns.length > 0) {
      const source = this.turns.shift()!;
      const bytes = source.take();
      if (source.hasMore) this.turns.push(source);
      if (bytes !== undefined) this.write(bytes);
    }
  }

  // A write's outcome. A failed one no longer fills the stream: waiting sources go on
  // (their lines fail too, and are counted, until writes succeed again).
  private settle(bytes: Buffer | string, error: Error | null | undefined): void {
    if (!error) {
      release(bytes);
      if (this.failing === undefined) return;
      const { code, lines, bytes: lost } = this.failing;
      this.failing = undefined;
      this.tell({ kind: 'recovered', stream: this.name, code, lines, bytes: lost });
      return;
    }
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    const unwritten = error instanceof OutputWriteError ? data.subarray(error.written) : data;
    this.droppedBytes += unwritten.length;
    const code = errorCode(error) ?? 'EIO';
    if (READER_GONE.has(code)) {
      this.close(code);
    } else {
      if (this.failing === undefined) {
        this.failing = { code, lines: 0, bytes: 0 };
        this.tell({ kind: 'failing', stream: this.name, code });
      }
      this.failing.lines += countLines(unwritten, 0);
      this.failing.bytes += unwritten.length;
    }
    release(bytes);
    if (this.full) {
      this.full = false;
      this.pump();
    }
  }

  private close(code: string): void {
    if (this.closed) return;
    this.closed = true;
    this.failing = undefined;
    this.tell({ kind: 'closed', stream: this.name, code });
    this.full = false;
    this.pump();
  }

  private tell(trouble: OutputTrouble): void {
    queueMicrotask(() => {
      for (const watcher of this.watchers) watcher(trouble);
    });
  }
}
