// Reads one service stream (the read end of a real pipe) and relays it, framed and
// encoded line by line, to an OutputSink.
// - Block mode (the default): while the sink is busy the relay holds the lines it has
//   read, stops reading and waits for its turn (see output-sink.ts), so the service
//   blocks in write(): nothing is lost and nothing piles up in corral.
// - Drop mode: lines go to the service's DropQueue, and the relay never stops reading.
// Without a sink (log: {stdout: discard}) the stream is still read, so the service never
// blocks on it, and the tap still sees it, so ready: {log: ...} works on a discarded stream.
// Every relay reads into one buffer (READ_BUFFER, or a smaller one while its sink is
// busy) and writes its encoded lines from the pools of output buffers (buffer-pool.ts): a
// buffer allocated per read and per chunk was garbage V8 collected late, and raised the
// peak RSS while relaying by tens of MiB.
import { Socket, type OnReadOpts, type SocketConstructorOpts } from 'node:net';
import { BufferPool } from './buffer-pool.js';
import type { DropQueue } from './drop-queue.js';
import type { LineEncoder } from './line-encoder.js';
import type { FrameLines } from './frame-lines.js';
import { encodedCapacity, LineFramer, type LineCount, type LineKeeper } from './line-framer.js';
import type { OutputSink, OutputSource } from './output-sink.js';

export interface RelayOptions {
  encoder: LineEncoder;
  maxLine: number;
  /** undefined: read and discard. */
  sink: OutputSink | undefined;
  /** Sees every chunk read, e.g. a LineWatcher waiting for a ready line. The chunk is
   * valid only during the call: the next read overwrites it. */
  tap?: (chunk: Buffer) => void;
  /** Drop mode: the service's queue for this stream, shared by all its runs. */
  drop?: DropQueue;
  /** Counts the lines framed (each piece of a cut line is one). */
  count?: LineCount;
  /** Sees every line framed: the service's LogRing (ring-keeper.ts). */
  keeper?: LineKeeper;
  /** The addon's frameLines; without it, frameLinesInJs. */
  frameLines?: FrameLines;
}

/** What one read takes at most: as much as libuv reads into a buffer of its own. */
const READ_BYTES = 64 * 1024;
// Read into by every relay in turn: a read's callback runs before the next read, and
// keeps nothing of the chunk that it did not copy.
const READ_BUFFER = Buffer.allocUnsafeSlow(READ_BYTES);
// Read into instead while many relays wait for the sink (see the constructor).
export const SMALL_READ_BYTES = 16 * 1024;
const SMALL_READ_BUFFER = Buffer.allocUnsafeSlow(SMALL_READ_BYTES);
// A chunk's encoded lines take at most 1.5 times its size and a little (line-framer.ts).
// Eight large buffers serve a sink that falls behind by a few writes; under more load
// than that the rest are allocated, and collected, as before. The small ones serve the
// small reads, whose lines would otherwise be copied out of a large buffer into garbage:
// each relay waiting for its turn holds one, so there are enough for 64 services waiting
// at once (1.5 MiB, kept once a burst made them; with 8, a burst of 50 services writing
// at once allocated some 500 of them, and the peak RSS was 1.5-2 MiB higher).
export const LARGE_POOL_BUFFERS = 8;
const ENCODED = [new BufferPool(encodedCapacity(SMALL_READ_BYTES), 64), new BufferPool(128 * 1024, LARGE_POOL_BUFFERS)];

export class PipeRelay implements OutputSource {
  private readonly socket: Socket;
  private readonly framer: LineFramer;
  /** Block mode: lines read while the sink was busy, waiting for a turn. */
  private held: Buffer[] = [];
  private lastRead = Date.now();
  /** Resolves when the pipe reached EOF or was cut off by drain(). */
  readonly closed: Promise<void>;
  private isClosed = false;
  private onFlushed: (() => void) | undefined;
  /** Resolves when the pipe is closed and every line read was handed to the sink: until
   * then the service's last lines may still wait for a turn at a busy output. */
  readonly flushed: Promise<void>;

  constructor(
    readFd: number,
    private readonly options: RelayOptions,
  ) {
    const { sink, tap } = options;
    const { count, keeper, frameLines } = options;
    this.framer = new LineFramer(options.encoder, options.maxLine, { count, keeper, frameLines, pools: ENCODED });
    // Node asks for the buffer of each read after the one before. What is read while
    // others wait for the sink is only held until the relay's turn, so when as many wait
    // as the large pool has buffers (or more), it reads little: with 50 services writing at
    // once, 50 reads of 16 KiB wait, not 50 of 64 KiB (corral's peak RSS relaying 50 x
    // 20,000 lines went from 78-83 to 67-72 MiB, at the same rate). A few relays read
    // large reads all the same, busy sink or not: with 2 services writing at once, small
    // reads had cost a fifth of the rate (400-460 MB/s, 480-525 without).
    const nextBuffer = (): Buffer => (sink !== undefined && options.drop === undefined && sink.waiting >= LARGE_POOL_BUFFERS ? SMALL_READ_BUFFER : READ_BUFFER);
    // false stops reading, when the relay holds lines for a busy sink; take() resumes it.
    // Node then stops its handle at once: socket.pause() would go through the Readable's
    // state, and the resume() after it through a tick and a read(0), on every turn.
    const onRead = (length: number, buffer: Uint8Array): boolean => {
      const chunk = (buffer === SMALL_READ_BUFFER ? SMALL_READ_BUFFER : READ_BUFFER).subarray(0, length);
      this.lastRead = Date.now();
      tap?.(chunk);
      return sink === undefined || !this.forward(this.framer.push(chunk));
    };
    // Node takes onread in the constructor as in connect(); its types list it only there.
    // No 'data' or 'readable' listener and no read() on this socket: with onread, those
    // would start reading again while the relay holds lines for a busy sink.
    const socketOptions: SocketConstructorOpts & { onread: OnReadOpts } = {
      fd: readFd,
      readable: true,
      writable: false,
      onread: { buffer: nextBuffer, callback: onRead },
    };
    this.socket = new Socket(socketOptions);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    this.flushed = new Promise((resolve) => (this.onFlushed = resolve));
    void this.closed.then(() => {
      this.isClosed = true;
      this.checkFlushed();
    });
    this.socket.on('end', () => this.forward(this.framer.end()));
    this.socket.on('error', () => this.forward(this.framer.end()));
  }

  get hasMore(): boolean {
    return this.held.length > 0;
  }

  // The sink's turn: the oldest batch held, and once none is left reading resumes. One
  // batch a turn, not all of them joined: a join was a new buffer for each turn, and the
  // pool buffers joined never went back to their pool (buffer-pool.ts), only to the
  // garbage collector.
  take(): Buffer | undefined {
    const bytes = this.held.shift();
    this.lastRead = Date.now();
    if (this.held.length > 0) return bytes;
    if (!this.socket.destroyed) this.socket.resume();
    this.checkFlushed();
    return bytes;
  }

  private checkFlushed(): void {
    if (this.isClosed && this.held.length === 0) this.onFlushed?.();
  }

  // After the service exited: wait for EOF, then stop reading and flush what is left.
  // A grandchild may keep the pipe open for ever, so the wait ends once the pipe has been
  // quiet for timeoutMs, and at the latest after maxMs however much it writes. In block
  // mode time spent waiting for a turn at the sink is not quiet (the service's last lines
  // may still be in the pipe) unless `strict`, for a service being stopped, whose stop
  // must not wait on a slow log reader.
  async drain(timeoutMs: number, strict: boolean, maxMs = Infinity): Promise<void> {
    this.lastRead = Date.now();
    const hardEnd = Date.now() + maxMs;
    let timer: NodeJS.Timeout | undefined;
    const quiet = new Promise<'quiet'>((resolve) => {
      const check = (): void => {
        const quietFor = !strict && this.hasMore ? 0 : Date.now() - this.lastRead;
        const left = Math.min(timeoutMs - quietFor, hardEnd - Date.now());
        if (left <= 0) resolve('quiet');
        else timer = setTimeout(check, left);
      };
      timer = setTimeout(check, Math.min(timeoutMs, maxMs));
    });
    const result = await Promise.race([this.closed, quiet]);
    clearTimeout(timer);
    if (result === 'quiet') {
      this.socket.destroy();
      this.forward(this.framer.end());
      await this.closed;
    }
  }

  // Writes or holds `bytes`; true when it holds them, and reading must stop until take().
  private forward(bytes: Buffer | undefined): boolean {
    const { sink, drop } = this.options;
    if (bytes === undefined || sink === undefined) return false;
    if (drop !== undefined) {
      drop.forward(bytes);
      return false;
    }
    if (!sink.isBusy && this.held.length === 0) {
      sink.write(bytes);
      return false;
    }
    // A lent pool buffer is held as it is: it is at least half full (byte-builder.ts).
    this.held.push(bytes);
    sink.enqueue(this);
    // The sink may have taken them at once, in enqueue(): then reading goes on, as
    // take() found it going.
    return this.held.length > 0;
  }
}
