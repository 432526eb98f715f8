// corral's stdout or stderr as the one writer in front of the file descriptor.
// process.stdout on a pipe is asynchronous and buffers without limit, so the sink never
// lets it: while the stream is full (write() returned false, until 'drain'), sources with
// lines to write wait their turn, and the sink takes one batch from each in rotation as
// the stream drains. A waiting block-mode relay has stopped reading its pipe, so its
// service blocks in write(); a drop-mode queue holds at most its budget. Taking turns
// keeps a chatty service from starving a quiet one. A closed reader (EPIPE) must not
// crash PID 1: output is then dropped, and the sources keep flowing.
import type { Writable } from 'node:stream';

export interface OutputSource {
  /** The next bytes to write (whole lines), or undefined if it has none now. */
  take(): Buffer | undefined;
  /** Whether it still has bytes waiting after a take. */
  readonly hasMore: boolean;
}

const FLUSH_POLL_MS = 10;

export class OutputSink {
  private broken = false;
  private full = false;
  /** Sources with bytes waiting, in turn order. */
  private readonly turns: OutputSource[] = [];
  /** Bytes dropped because the stream was closed under us. */
  droppedBytes = 0;

  constructor(
    readonly name: 'stdout' | 'stderr',
    private readonly stream: Writable,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // EPIPE and friends: the log reader went away. Keep supervising; drop output.
      this.broken = true;
      this.droppedBytes += stream.writableLength;
      if (error.code !== 'EPIPE') process.emitWarning(`corral: ${name} failed: ${error.message}`);
      this.full = false;
      this.pump();
    });
    stream.on('drain', () => {
      this.full = false;
      this.pump();
    });
  }

  /** A source may write directly only when this is false; otherwise it must enqueue. */
  get isBusy(): boolean {
    return this.full || this.turns.length > 0;
  }

  // Writes at once, queue or not: for corral's own events and a source's fast path.
  write(bytes: Buffer | string): void {
    if (this.broken) {
      this.droppedBytes += bytes.length;
      return;
    }
    if (!this.stream.write(bytes)) this.full = true;
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
    while (!this.broken && (this.turns.length > 0 || this.stream.writableLength > 0) && Date.now() < end) {
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
}
