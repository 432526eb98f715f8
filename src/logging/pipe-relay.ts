// Reads one service stream (the read end of a real pipe) and relays it, framed and
// encoded line by line, to an OutputSink.
// - Block mode (the default): while the sink is blocked the relay stops reading, so the
//   service blocks in write(): nothing is lost and nothing piles up in corral.
// - Drop mode: the relay keeps reading and queues up to a byte budget; whole lines past
//   it are dropped and reported once the sink takes output again.
// Without a sink (log: {stdout: discard}) the stream is still read, so the service never
// blocks on it, and the tap still sees it, so ready: {log: ...} works on a discarded stream.
import { Socket } from 'node:net';
import { DropQueue, type Dropped } from './drop-queue.js';
import type { LineEncoder } from './line-encoder.js';
import { LineFramer } from './line-framer.js';
import type { OutputSink } from './output-sink.js';

export interface RelayOptions {
  encoder: LineEncoder;
  maxLine: number;
  /** undefined: read and discard. */
  sink: OutputSink | undefined;
  /** Sees every chunk read, e.g. a LineWatcher waiting for a ready line. */
  tap?: (chunk: Buffer) => void;
  /** Drop mode: queue at most `budget` bytes while the sink is blocked. */
  drop?: { budget: number; report: (dropped: Dropped) => void };
}

export class PipeRelay {
  private readonly socket: Socket;
  private readonly framer: LineFramer;
  private readonly queue: DropQueue | undefined;
  /** Resolves when the pipe reached EOF or was cut off by drain(). */
  readonly closed: Promise<void>;

  constructor(
    readFd: number,
    private readonly options: RelayOptions,
  ) {
    const { sink, tap, drop } = options;
    this.framer = new LineFramer(options.encoder, options.maxLine);
    this.queue = drop === undefined ? undefined : new DropQueue(drop.budget);
    this.socket = new Socket({ fd: readFd, readable: true, writable: false });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.socket.on('data', (chunk: Buffer) => {
      tap?.(chunk);
      if (sink !== undefined) this.forward(this.framer.push(chunk));
    });
    this.socket.on('end', () => this.forward(this.framer.end()));
    this.socket.on('error', () => this.forward(this.framer.end()));
    if (sink === undefined) return;
    sink.on('blocked', this.pause);
    sink.on('drained', this.resume);
    if (sink.isBlocked) this.pause();
    void this.closed.then(() => {
      sink.off('blocked', this.pause);
      sink.off('drained', this.resume);
      // What is still queued goes to the sink's own buffer now: it is within the budget,
      // and the relay will not be told of the next 'drained'.
      this.flushQueue();
    });
  }

  // After the service exited: wait for EOF at most timeoutMs (a grandchild may keep the
  // pipe open for ever), then stop reading and flush what is left.
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const cutOff = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.closed, cutOff]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.socket.destroy();
      this.forward(this.framer.end());
      await this.closed;
    }
  }

  private forward(bytes: Buffer | undefined): void {
    const { sink } = this.options;
    if (bytes === undefined || sink === undefined) return;
    if (this.queue !== undefined && sink.isBlocked) this.queue.add(bytes);
    else sink.write(bytes);
  }

  private flushQueue(): void {
    if (this.queue === undefined || this.queue.isEmpty) return;
    const { bytes, dropped } = this.queue.take();
    if (bytes !== undefined) this.options.sink?.write(bytes);
    if (dropped.lines > 0) this.options.drop?.report(dropped);
  }

  private readonly pause = (): void => {
    if (this.queue === undefined) this.socket.pause();
  };

  private readonly resume = (): void => {
    this.flushQueue();
    // An earlier listener of the same 'drained' may have blocked the sink again.
    if (this.queue === undefined && !this.options.sink?.isBlocked) this.socket.resume();
  };
}
