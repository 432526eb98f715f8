// systemd's sd_notify protocol (`ready: { notify: true }`): a service sends datagrams such
// as "READY=1\nSTATUS=listening on :80" to the unix socket named by $NOTIFY_SOCKET. The
// socket itself comes from the native addon (datagrams with the sender's credentials),
// polled by a DatagramListener; this module parses the messages.
import type { NativeAddon } from '../native/addon.js';
import { addonWatch, DatagramListener, MAX_BATCHES_PER_POLL } from '../native/datagram-listener.js';

// The two addon functions the listener needs; see src/native/addon.ts.
export interface NotifyAddon {
  /** Binds a non-blocking AF_UNIX SOCK_DGRAM socket at path and returns its fd. */
  notifySocket(path: string): number;
  /** Drains waiting datagrams (a bounded batch per call); [] when none are waiting. */
  readDatagrams(fd: number): Array<{ text: string; pid: number }>;
  /** When given: the socket is read as soon as it is readable, not every pollMs. */
  watchReadable?: NativeAddon['watchReadable'];
  unwatchReadable?: NativeAddon['unwatchReadable'];
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
  /** See DatagramListenerOptions.onError. */
  onError?: (error: unknown) => void;
}

export { MAX_BATCHES_PER_POLL };

// One service's notify socket, polled until close().
export class NotifyListener extends DatagramListener<{ text: string; pid: number }> {
  constructor(options: NotifyListenerOptions) {
    super({
      path: options.path,
      bind: (path) => options.addon.notifySocket(path),
      read: (fd) => options.addon.readDatagrams(fd),
      pollMs: options.pollMs,
      watch: options.addon.watchReadable && options.addon.unwatchReadable ? addonWatch(options.addon as Required<NotifyAddon>) : undefined,
      onDatagram: ({ text, pid }) => options.onMessage(parseNotifyMessage(text), pid),
      onError: options.onError,
    });
  }
}
