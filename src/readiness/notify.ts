// systemd's sd_notify protocol (`ready: { notify: true }`): a service sends datagrams such
// as "READY=1\nSTATUS=listening on :80" to the unix socket named by $NOTIFY_SOCKET. The
// socket itself comes from the native addon (datagrams with the sender's credentials);
// this module parses messages and polls the socket.
import { closeSync, statSync, unlinkSync } from 'node:fs';
import { describeSystemError } from '../logging/system-error.js';

// The two addon functions the listener needs; see src/native/addon.ts.
export interface NotifyAddon {
  /** Binds a non-blocking AF_UNIX SOCK_DGRAM socket at path and returns its fd. */
  notifySocket(path: string): number;
  /** Drains waiting datagrams (a bounded batch per call); [] when none are waiting. */
  readDatagrams(fd: number): Array<{ text: string; pid: number }>;
}

// What a message means to corral; fields it does not act on are left out.
export interface NotifyEvents {
  /** READY=1 */
  ready: boolean;
  /** STATUS=…, free text for the log. */
  status?: string;
  /** MAINPID=…, when the service says another process is its main one. */
  mainPid?: number;
  /** STOPPING=1 */
  stopping: boolean;
  /** RELOADING=1 */
  reloading: boolean;
  /** WATCHDOG=1, a keep-alive ping. */
  watchdog: boolean;
  /** WATCHDOG=trigger: the service says it is broken; act as if the watchdog timed out. */
  watchdogTrigger: boolean;
  /** WATCHDOG_USEC=…, a new watchdog timeout in microseconds (0 turns it off). */
  watchdogUsec?: number;
  /** ERRNO=…, the service's failure as an errno number. */
  errno?: number;
}

// "READY=1\nSTATUS=up" -> Map { READY => 1, STATUS => up }. Lines without a key and '='
// are ignored; a later repeat of a key wins.
export function parseNotifyMessage(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}

// The fields corral acts on, with numbers parsed; malformed numbers are left out.
export function notifyEvents(fields: ReadonlyMap<string, string>): NotifyEvents {
  const events: NotifyEvents = {
    ready: fields.get('READY') === '1',
    stopping: fields.get('STOPPING') === '1',
    reloading: fields.get('RELOADING') === '1',
    watchdog: fields.get('WATCHDOG') === '1',
    watchdogTrigger: fields.get('WATCHDOG') === 'trigger',
  };
  const status = fields.get('STATUS');
  if (status !== undefined) events.status = status;
  const mainPid = parseWholeNumber(fields.get('MAINPID'));
  if (mainPid !== undefined && mainPid > 0) events.mainPid = mainPid;
  const errno = parseWholeNumber(fields.get('ERRNO'));
  if (errno !== undefined) events.errno = errno;
  // Microseconds overflow the 31 bits of a pid or errno (36 minutes), so a wider range.
  const watchdogUsec = parseWholeNumber(fields.get('WATCHDOG_USEC'), Number.MAX_SAFE_INTEGER);
  if (watchdogUsec !== undefined) events.watchdogUsec = watchdogUsec;
  return events;
}

function parseWholeNumber(text: string | undefined, max = 0x7fffffff): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value <= max ? value : undefined;
}

export interface NotifyListenerOptions {
  /** Where the socket is bound; services get it as $NOTIFY_SOCKET. */
  path: string;
  addon: NotifyAddon;
  pollMs: number;
  /** Each message, parsed, with the sender's pid (0 when the kernel gave none). */
  onMessage: (fields: Map<string, string>, pid: number) => void;
  /**
   * A failure to read the socket (the listener has closed itself), a throw from onMessage
   * (it keeps listening), or a failure to close or remove the socket (the run goes on
   * without it). Defaults to a process warning.
   */
  onError?: (error: unknown) => void;
}

/**
 * Batches read per poll at most (the addon returns up to 64 datagrams of up to 4096
 * bytes each), so a flood costs at most 1024 messages per poll and cannot hold up the
 * event loop: the rest wait in the socket, and the kernel blocks their senders.
 */
export const MAX_BATCHES_PER_POLL = 16;

export type NotifySocketErrorCode = 'NOTIFY_CLEANUP_FAILED' | 'NOTIFY_POLL_FAILED';

// The socket could not be closed or removed, or a poll failed in a way it did not expect.
// Never thrown out of the listener: it is reported through onError.
export class NotifySocketError extends Error {
  override name = 'NotifySocketError';
  constructor(
    message: string,
    readonly code: NotifySocketErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// One service's notify socket, polled until close().
export class NotifyListener {
  readonly #options: NotifyListenerOptions;
  #fd: number | undefined;
  #inode: { dev: number; ino: number } | undefined;
  #interval: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: NotifyListenerOptions) {
    this.#options = options;
  }

  // Binds the socket (throws the addon's error if it cannot) and starts polling.
  start(): void {
    if (this.#closed) throw new Error(`NotifyListener for ${this.#options.path}: start() after close()`);
    if (this.#fd !== undefined) return;
    this.#fd = this.#options.addon.notifySocket(this.#options.path);
    this.#inode = fileIdentity(this.#options.path);
    this.#interval = setInterval(() => this.pollNow(), this.#options.pollMs).unref();
  }

  // Reads what is waiting now and returns how many messages were handled. Never throws:
  // it runs from a timer, where a throw would reach PID 1's top and stop the container;
  // what it did not expect is reported, and the listener closed.
  pollNow(): number {
    try {
      return this.#poll();
    } catch (error) {
      this.close();
      this.#report(new NotifySocketError(`polling failed, no longer listening: ${messageOf(error)}`, 'NOTIFY_POLL_FAILED', { cause: error }));
      return 0;
    }
  }

  #poll(): number {
    const fd = this.#fd;
    if (fd === undefined || this.#closed) return 0;
    let handled = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_POLL; batch++) {
      let datagrams: Array<{ text: string; pid: number }>;
      try {
        datagrams = this.#options.addon.readDatagrams(fd);
      } catch (error) {
        this.close();
        this.#report(error);
        return handled;
      }
      if (datagrams.length === 0) break;
      for (const { text, pid } of datagrams) {
        handled += 1;
        try {
          this.#options.onMessage(parseNotifyMessage(text), pid);
        } catch (error) {
          this.#report(error);
        }
        if (this.#closed) return handled;
      }
    }
    return handled;
  }

  // Stops polling, closes the fd and removes the socket file. Idempotent, and never
  // throws: it runs when a run ends (readiness cancel), and a socket that cannot be
  // removed (a read-only /run: EROFS; EACCES) must not take corral down with it. The
  // failure is reported, and the next bind replaces a stale file if it can.
  close(): void {
    this.#closed = true;
    clearInterval(this.#interval);
    this.#interval = undefined;
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch (error) {
      this.#report(new NotifySocketError(`cannot close it: ${describeSystemError(error)}`, 'NOTIFY_CLEANUP_FAILED', { cause: error }));
    }
    // Only our own file: a new run of the service may already have bound a new socket there.
    const now = fileIdentity(this.#options.path);
    if (now === undefined || now.dev !== this.#inode?.dev || now.ino !== this.#inode.ino) return;
    try {
      unlinkSync(this.#options.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.#report(new NotifySocketError(`cannot remove it, so it stays behind: ${describeSystemError(error)}`, 'NOTIFY_CLEANUP_FAILED', { cause: error }));
    }
  }

  // A reporter that throws must not undo what this listener guarantees: it is dropped.
  #report(error: unknown): void {
    try {
      if (this.#options.onError) this.#options.onError(error);
      else process.emitWarning(`notify socket ${this.#options.path}: ${messageOf(error)}`);
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
