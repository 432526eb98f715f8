// syslog messages as programs send them to /dev/log, parsed: RFC 5424
// ("<13>1 2026-12-03T11:14:52Z host app 42 ID [sd] message"), RFC 3164 with or without a
// hostname ("<27>Dec  3 11:14:52 host app[42]: message"; glibc's syslog(3) and logger
// leave the hostname out on a local socket), and a bare "<13>message". Pure, on bytes: the
// message is never decoded, so invalid UTF-8 reaches the log as it came. What cannot be
// parsed is kept whole, as the message.

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type Severity = (typeof SEVERITIES)[number];

// RFC 5424 section 6.2.1, with the names syslog.h gives them.
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;
export type Facility = (typeof FACILITIES)[number];

export interface SyslogMessage {
  /** rfc5424, rfc3164 (a BSD header, or none after the priority), or unparsed (no <PRI>). */
  format: 'rfc5424' | 'rfc3164' | 'unparsed';
  facility?: Facility;
  severity?: Severity;
  /** As written: RFC 3164's has no year or zone. */
  timestamp?: string;
  hostname?: string;
  /** The program: RFC 3164's TAG, RFC 5424's APP-NAME ("postfix/smtpd"). */
  tag?: string;
  /** As written; RFC 5424's PROCID need not be a number. */
  pid?: string;
  msgid?: string;
  /** RFC 5424's STRUCTURED-DATA, as written. */
  structuredData?: string;
  /** The message itself, without a trailing newline or NUL; the whole datagram if unparsed. */
  message: Buffer;
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
// "Dec  3 11:14:52 ", or an RFC 3339 time as some senders put in a BSD header.
const BSD_TIME = new RegExp(
  `^(?:(?:${MONTHS}) [ 0-3]\\d \\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d{1,9})?(?:Z|[+-]\\d\\d:\\d\\d)) `,
);
// "app: ", "postfix/smtpd[4242]: ", "app[42] " (no colon, as some old programs write).
const TAG = /^([^\s[\]:]{1,64})(?:\[([^\]\s]{1,32})\])?:(?: |$)|^([^\s[\]:]{1,64})\[(\d{1,10})\] /;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function parseSyslog(data: Buffer): SyslogMessage {
  // Header fields are ASCII; latin1 maps each byte to one character, so offsets match.
  const text = data.toString('latin1');
  const pri = /^<(\d{1,3})>/.exec(text);
  if (pri === null || Number(pri[1]) > 191) return { format: 'unparsed', message: trimEnd(data, 0) };
  const value = Number(pri[1]);
  const priority = { facility: FACILITIES[value >> 3]!, severity: SEVERITIES[value & 7]! };
  const at = pri[0].length;
  if (text.startsWith('1 ', at)) {
    const parsed = parse5424(data, text, at + 2);
    if (parsed !== undefined) return { ...priority, ...parsed };
  }
  return { ...priority, ...parse3164(data, text, at) };
}

// TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG];
// undefined when the header is not one, so the message is read as RFC 3164 instead.
function parse5424(data: Buffer, text: string, from: number): Omit<SyslogMessage, 'facility' | 'severity'> | undefined {
  const fields: (string | undefined)[] = [];
  let at = from;
  for (let i = 0; i < 5; i++) {
    const end = text.indexOf(' ', at);
    if (end <= at) return undefined;
    const field = data.subarray(at, end).toString('utf8');
    fields.push(field === '-' ? undefined : field);
    at = end + 1;
  }
  const sdEnd = structuredDataEnd(text, at);
  if (sdEnd === undefined || (sdEnd < text.length && text[sdEnd] !== ' ')) return undefined;
  const sd = text.slice(at, sdEnd);
  let message = data.subarray(Math.min(sdEnd + 1, data.length));
  if (message.subarray(0, 3).equals(BOM)) message = message.subarray(3);
  const [timestamp, hostname, tag, pid, msgid] = fields;
  return {
    format: 'rfc5424',
    timestamp,
    hostname,
    tag,
    pid,
    msgid,
    structuredData: sd === '-' ? undefined : data.subarray(at, sdEnd).toString('utf8'),
    message: trimEnd(message, 0),
  };
}

// Where STRUCTURED-DATA that starts at `at` ends: "-", or one or more [ID PARAM="v"]
// elements, whose values may hold \", \\ and \] escapes. undefined when malformed.
function structuredDataEnd(text: string, at: number): number | undefined {
  if (text[at] === '-') return at + 1;
  let i = at;
  while (text[i] === '[') {
    let quoted = false;
    for (i += 1; i < text.length; i++) {
      const char = text[i];
      if (quoted && char === '\\') i += 1;
      else if (char === '"') quoted = !quoted;
      else if (char === ']' && !quoted) break;
    }
    if (i >= text.length) return undefined;
    i += 1;
  }
  return i === at ? undefined : i;
}

// [TIMESTAMP SP] [HOSTNAME SP] [TAG[PID]: ] MSG, each part only when it is there.
function parse3164(data: Buffer, text: string, from: number): Omit<SyslogMessage, 'facility' | 'severity'> {
  const result: Omit<SyslogMessage, 'facility' | 'severity'> = { format: 'rfc3164', message: Buffer.alloc(0) };
  let at = from;
  const time = BSD_TIME.exec(text.slice(at, at + 40));
  if (time !== null) {
    result.timestamp = time[0].trimEnd();
    at += time[0].length;
  }
  let tag = TAG.exec(text.slice(at, at + 120));
  // No tag here: a hostname first, when a tag follows it.
  const host = /^[^\s[\]:]{1,255} /.exec(text.slice(at, at + 256));
  if (tag === null && time !== null && host !== null) {
    const next = TAG.exec(text.slice(at + host[0].length, at + host[0].length + 120));
    if (next !== null) {
      result.hostname = host[0].trimEnd();
      at += host[0].length;
      tag = next;
    }
  }
  if (tag !== null) {
    result.tag = data.subarray(at, at + (tag[1] ?? tag[3])!.length).toString('utf8');
    const pid = tag[2] ?? tag[4];
    if (pid !== undefined) result.pid = pid;
    at += tag[0].length;
  }
  result.message = trimEnd(data, at);
  return result;
}

// data[from...] without the newlines and NULs senders leave at its end.
function trimEnd(data: Buffer, from: number): Buffer {
  let end = data.length;
  while (end > from && (data[end - 1] === 0x0a || data[end - 1] === 0x0d || data[end - 1] === 0x00)) end -= 1;
  return data.subarray(from, end);
}

// err and worse go to corral's stderr, as a service's errors would.
export function isErrorSeverity(severity: Severity | undefined): boolean {
  return severity !== undefined && SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf('err');
}
