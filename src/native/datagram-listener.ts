// A unix datagram socket of corral's, polled: the notify socket of a service (sd_notify)
// and the syslog socket (/dev/log). Node has no unix datagram sockets, so the addon binds
// and reads them; this binds one, reads what waits on it in bounded batches on a timer,
// and on close removes its own file (never one a newer socket put there).
import { closeSync, statSync, unlinkSync } from 'node:fs';
import { describeSystemError } from '../shared/system-error.js';
import type { NativeAddon, ReadableWatch } from './addon.js';
import { CodedError } from '../shared/coded-error.js';

export interface DatagramListenerOptions<Datagram> {
  /** Where the socket is bound. */
  path: string;
  /** Binds a non-blocking AF_UNIX SOCK_DGRAM socket at path and returns its fd. */
  bind: (path: string) => number;
  /** Drains waiting datagrams (a bounded batch per call); [] when none are waiting. */
  read: (fd: number) => Datagram[];
  /** How often the socket is read when it cannot be watched. */
  pollMs: number;
  /**
   * Calls back when the socket is readable (the addon's watchReadable, on Node's loop):
   * a datagram is read as soon as it arrives. Without it, the socket is read every pollMs.
   */
  watch?: { start: (fd: number, onReadable: () => void) => unknown; stop: (handle: unknown) => void };
  onDatagram: (datagram: Datagram) => void;
  /**
   * A failure to read the socket (the listener has closed itself), a throw from
   * onDatagram (it keeps listening), or a failure to close or remove the socket (corral
   * goes on without it). Defaults to a process warning.
   */
  onError?: (error: unknown) => void;
}

/**
 * Batches read per poll at most (the addon returns up to 64 datagrams per read), so a
 * flood costs at most 1024 messages per poll and cannot hold up the event loop: the rest
 * wait in the socket (a watched socket is read again on the loop's next turn), and the
 * kernel blocks their senders.
 */
export const MAX_BATCHES_PER_POLL = 16;

export type DatagramSocketErrorCode = 'SOCKET_CLEANUP_FAILED' | 'SOCKET_POLL_FAILED';

// The socket could not be closed or removed, or a poll failed in a way it did not expect.
// Never thrown out of the listener: it is reported through onError.
export class DatagramSocketError extends CodedError<DatagramSocketErrorCode> {
  override name = 'DatagramSocketError';
}

// The addon's readable watch, as DatagramListenerOptions.watch.
export function addonWatch(addon: Pick<NativeAddon, 'watchReadable' | 'unwatchReadable'>): NonNullable<DatagramListenerOptions<unknown>['watch']> {
  return { start: (fd, onReadable) => addon.watchReadable(fd, onReadable), stop: (handle) => addon.unwatchReadable(handle as ReadableWatch) };
}

export class DatagramListener<Datagram> {
  readonly #options: DatagramListenerOptions<Datagram>;
  #fd: number | undefined;
  #inode: { dev: number; ino: number } | undefined;
  #interval: NodeJS.Timeout | undefined;
  #watch: unknown;
  #closed = false;

  constructor(options: DatagramListenerOptions<Datagram>) {
    this.#options = options;
  }

  get path(): string {
    return this.#options.path;
  }

  // Binds the socket (throws the addon's error if it cannot) and starts polling.
  start(): void {
    if (this.#closed) throw new Error(`listener for ${this.#options.path}: start() after close()`);
    if (this.#fd !== undefined) return;
    this.#fd = this.#options.bind(this.#options.path);
    this.#inode = fileIdentity(this.#options.path);
    const { watch } = this.#options;
    if (watch) this.#watch = watch.start(this.#fd, () => void this.pollNow());
    else this.#interval = setInterval(() => this.pollNow(), this.#options.pollMs).unref();
  }

  // Reads what is waiting now and returns how many datagrams were handled. Never throws:
  // it runs from a timer, where a throw would reach PID 1's top and stop the container;
  // what it did not expect is reported, and the listener closed.
  pollNow(): number {
    try {
      return this.#poll();
    } catch (error) {
      this.close();
      this.#report(new DatagramSocketError(`polling failed, no longer listening: ${messageOf(error)}`, 'SOCKET_POLL_FAILED', { cause: error }));
      return 0;
    }
  }

  #poll(): number {
    const fd = this.#fd;
    if (fd === undefined || this.#closed) return 0;
    let handled = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_POLL; batch++) {
      let datagrams: Datagram[];
      try {
        datagrams = this.#options.read(fd);
      } catch (error) {
        this.close();
        this.#report(error);
        return handled;
      }
      if (datagrams.length === 0) break;
      for (const datagram of datagrams) {
        // What the addon cannot have meant is a poll failure (caught by pollNow), not a message.
        if (typeof datagram !== 'object' || datagram === null) throw new TypeError(`the addon read ${String(datagram)} as a datagram`);
        handled += 1;
        try {
          this.#options.onDatagram(datagram);
        } catch (error) {
          this.#report(error);
        }
        if (this.#closed) return handled;
      }
    }
    return handled;
  }

  // Stops polling, closes the fd and removes the socket file. Idempotent, and never
  // throws: it runs when a run ends (readiness cancel) or corral exits, and a socket that
  // cannot be removed (a read-only /run: EROFS; EACCES) must not take corral down with
  // it. The failure is reported, and the next bind replaces a stale file if it can.
  close(): void {
    this.#closed = true;
    clearInterval(this.#interval);
    this.#interval = undefined;
    if (this.#watch !== undefined) this.#options.watch?.stop(this.#watch);
    this.#watch = undefined;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (error) {
      this.#report(new DatagramSocketError(`cannot close it: ${describeSystemError(error)}`, 'SOCKET_CLEANUP_FAILED', { cause: error }));
    }
    // Only our own file: a new run of the service may already have bound a new socket there.
    const now = fileIdentity(this.#options.path);
    if (now === undefined || now.dev !== this.#inode?.dev || now.ino !== this.#inode.ino) return;
    try {
      unlinkSync(this.#options.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.#report(new DatagramSocketError(`cannot remove it, so it stays behind: ${describeSystemError(error)}`, 'SOCKET_CLEANUP_FAILED', { cause: error }));
    }
  }

  // A reporter that throws must not undo what this listener guarantees: it is dropped.
  #report(error: unknown): void {
    try {
      if (this.#options.onError) this.#options.onError(error);
      else process.emitWarning(`socket ${this.#options.path}: ${messageOf(error)}`);
    } catch {
      // Nothing is left to tell it to.
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fileIdentity(path: string): { dev: number; ino: number } | undefined {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return undefined;
  }
}
