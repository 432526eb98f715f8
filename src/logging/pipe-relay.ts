// Reads one service stream (the read end of a real pipe) and relays it, framed into
// prefixed lines, to an OutputSink, pausing while the sink is blocked. Without a sink
// (log: {stdout: discard}) the stream is still read, so the service never blocks on it,
// and the tap still sees it, so ready: {log: ...} works on a discarded stream.
import { Socket } from 'node:net';
import { LineFramer } from './line-framer.js';
import type { OutputSink } from './output-sink.js';

export class PipeRelay {
  private readonly socket: Socket;
  private readonly framer: LineFramer;
  /** Resolves when the pipe reached EOF or was cut off by drain(). */
  readonly closed: Promise<void>;

  constructor(
    readFd: number,
    label: string,
    maxLine: number,
    private readonly sink: OutputSink | undefined,
    /** Sees every chunk read, e.g. a LineWatcher waiting for a ready line. */
    tap?: (chunk: Buffer) => void,
  ) {
    this.framer = new LineFramer(label, maxLine);
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
    if (bytes === undefined) return;
    this.sink?.write(bytes);
  }

  private readonly pause = (): void => {
    this.socket.pause();
  };

  private readonly resume = (): void => {
    this.socket.resume();
  };
}
