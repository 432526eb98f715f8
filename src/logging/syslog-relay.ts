// CORRAL_SYSLOG=/dev/log: corral is the container's syslog daemon. Programs that log only
// through syslog(3) send their messages to a unix datagram socket nothing reads in a
// container; corral listens there and relays each message as a line of the program's,
// to docker logs. It never makes corral wait: the socket is read in bounded batches, and
// when corral's output is full the messages wait in a bounded queue per stream, past
// which they are dropped whole and counted, like a service with log.mode: drop.
import { chmodSync, lstatSync, type Stats } from 'node:fs';
import type { Logger } from '../shared/logger.js';
import { formatByteCount } from '../config/byte-size.js';
import type { ByteDatagram, NativeAddon } from '../native/addon.js';
import { addonWatch, DatagramListener } from '../native/datagram-listener.js';
import { DropQueue, type Dropped } from './drop-queue.js';
import type { LabelColumn } from './label-column.js';
import type { LogStyle } from './log-style.js';
import type { OutputSink } from './output-sink.js';
import { encodeSyslog } from './syslog-encode.js';
import { parseSyslog } from './syslog-parse.js';
import { describeSystemError } from '../shared/system-error.js';
import { CodedError } from '../shared/coded-error.js';

/** The longest message kept whole; the rest of a longer one is lost (rsyslog's default). */
export const SYSLOG_MAX_MESSAGE = 8192;
/** How much of each stream may wait in corral while its output is full. */
export const SYSLOG_BUFFER = 1024 * 1024;
const POLL_MS = 20;

export interface SyslogRelayOptions {
  path: string;
  addon: Pick<NativeAddon, 'notifySocket' | 'readDatagramBytes' | 'watchReadable' | 'unwatchReadable'>;
  sinks: Record<'stdout' | 'stderr', OutputSink>;
  logger: Logger;
  style: LogStyle;
  labels: LabelColumn;
  now?: () => number;
  bufferBytes?: number;
}

export type SyslogSocketErrorCode = 'NOT_A_SOCKET' | 'BIND_FAILED';

export class SyslogSocketError extends CodedError<SyslogSocketErrorCode> {
  override name = 'SyslogSocketError';
}

export class SyslogRelay {
  readonly #options: SyslogRelayOptions;
  readonly #listener: DatagramListener<ByteDatagram>;
  readonly #queues: Record<'stdout' | 'stderr', DropQueue>;
  /** Messages received since corral started. */
  received = 0;

  constructor(options: SyslogRelayOptions) {
    this.#options = options;
    const { addon, logger } = options;
    this.#listener = new DatagramListener<ByteDatagram>({
      path: options.path,
      bind: (path) => addon.notifySocket(path),
      read: (fd) => addon.readDatagramBytes(fd, SYSLOG_MAX_MESSAGE),
      pollMs: POLL_MS,
      watch: addonWatch(addon),
      onDatagram: (datagram) => this.#relay(datagram),
      onError: (error) => logger.warn(`syslog ${options.path}: ${describeSystemError(error)}`),
    });
    const queue = (stream: 'stdout' | 'stderr'): DropQueue =>
      new DropQueue(options.bufferBytes ?? SYSLOG_BUFFER, options.sinks[stream], (dropped) => this.#reportDropped(stream, dropped), options.now);
    this.#queues = { stdout: queue('stdout'), stderr: queue('stderr') };
  }

  /** Lines dropped so far, by stream. */
  get dropped(): Record<'stdout' | 'stderr', number> {
    return { stdout: this.#queues.stdout.droppedLines, stderr: this.#queues.stderr.droppedLines };
  }

  // Binds the socket, writable by every user (as /dev/log is), and starts relaying. A
  // file at the path that is not a socket is never replaced: NOT_A_SOCKET. A stale socket
  // (a container restarted with the same /dev) is.
  start(): void {
    const { path } = this.#options;
    let existing: Stats | undefined;
    try {
      existing = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SyslogSocketError(`cannot look at ${path}: ${describeSystemError(error)}`, 'BIND_FAILED', { cause: error });
    }
    if (existing !== undefined && !existing.isSocket()) {
      throw new SyslogSocketError(
        `${path} exists and is not a socket (${kindOf(existing)}); corral will not replace it. Remove it, or set CORRAL_SYSLOG to another path (or to nothing)`,
        'NOT_A_SOCKET',
      );
    }
    try {
      this.#listener.start();
      chmodSync(path, 0o666);
    } catch (error) {
      this.#listener.close();
      throw new SyslogSocketError(`cannot listen on ${path}: ${describeSystemError(error)}`, 'BIND_FAILED', { cause: error });
    }
  }

  // Stops listening and removes the socket file (only its own).
  close(): void {
    this.#listener.close();
  }

  #relay(datagram: ByteDatagram): void {
    this.received += 1;
    const message = parseSyslog(datagram.data);
    const now = this.#options.now?.() ?? Date.now();
    const encoded = encodeSyslog(
      { message, senderPid: datagram.pid, truncated: datagram.truncated, at: new Date(now) },
      this.#options.style,
      this.#options.labels,
    );
    this.#queues[encoded.stream].forward(encoded.bytes);
  }

  #reportDropped(stream: 'stdout' | 'stderr', { lines, bytes }: Dropped): void {
    this.#options.logger.warn(
      `syslog: dropped ${lines} line(s) (${formatByteCount(bytes)}) of messages for corral's ${stream}: it was blocked and the syslog buffer (${formatByteCount(this.#options.bufferBytes ?? SYSLOG_BUFFER)}) was full`,
      { dropped_source: 'syslog', dropped_stream: stream, dropped_lines: lines, dropped_bytes: bytes },
    );
  }
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFile()) return 'a regular file';
  return 'not a socket';
}
