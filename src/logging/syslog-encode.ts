// A parsed syslog message as corral writes it, like a service's line: in text format
// "[time ]program | message" (one line per line of the message), labelled with the
// program's tag; in JSON one object with the fields of a service's line ("source":
// "syslog") plus facility, severity, tag and what else the header said. err and worse go
// to stderr, the rest to stdout.
import { isUtf8 } from 'node:buffer';
import { ByteBuilder } from './byte-builder.js';
import type { LabelColumn } from './label-column.js';
import { createLineEncoder } from './line-encoder.js';
import type { LogStyle } from './log-style.js';
import { isErrorSeverity, type SyslogMessage } from './syslog-parse.js';

/** The label of a message without a program (unparsed, or RFC 5424 with APP-NAME "-"). */
export const SYSLOG_LABEL = 'syslog';
const MAX_LABEL = 40;
const NEWLINE = 0x0a;

export interface Received {
  message: SyslogMessage;
  /** The sender's pid, from the kernel; 0 when unknown. */
  senderPid: number;
  /** Longer than corral keeps (the rest was lost). */
  truncated: boolean;
  at: Date;
}

export interface EncodedMessage {
  stream: 'stdout' | 'stderr';
  bytes: Buffer;
}

export function encodeSyslog(received: Received, style: LogStyle, labels: LabelColumn): EncodedMessage {
  const { message } = received;
  const stream = isErrorSeverity(message.severity) ? 'stderr' : 'stdout';
  const label = labelOf(message.tag);
  // The pid the program gave in its tag, else the one the kernel saw send it.
  const pid = message.pid !== undefined && /^\d+$/.test(message.pid) ? Number(message.pid) : received.senderPid > 0 ? received.senderPid : undefined;
  if (style.format === 'json') return { stream, bytes: Buffer.from(`${JSON.stringify(record(received, label, stream, pid))}\n`) };
  const encoder = createLineEncoder(style, { service: label, label: labels.pad(label), stream, pid }, style.colour[stream], () => received.at);
  encoder.startChunk();
  const out = new ByteBuilder(message.message.length + 64);
  const text = message.message;
  for (let start = 0; ;) {
    const end = text.indexOf(NEWLINE, start);
    encoder.encode(text, start, end === -1 ? text.length : end, false, out);
    if (end === -1) break;
    start = end + 1;
  }
  return { stream, bytes: Buffer.from(out.result()!) };
}

// The program's name as a label: at most 40 characters, without "|" or control
// characters, which would break the "label | line" layout.
function labelOf(tag: string | undefined): string {
  if (tag === undefined || tag === '') return SYSLOG_LABEL;
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return tag.slice(0, MAX_LABEL).replace(/[|\u0000-\u001f\u007f]/g, '?');
}

function record(received: Received, label: string, stream: string, pid: number | undefined): Record<string, unknown> {
  const { message } = received;
  const bytes = message.message;
  const valid = isUtf8(bytes);
  const fields: Record<string, unknown> = {
    time: received.at.toISOString(),
    source: 'syslog',
    service: label,
    stream,
    pid: pid ?? null,
    message: bytes.toString('utf8'),
    facility: message.facility ?? null,
    severity: message.severity ?? null,
    tag: message.tag ?? null,
  };
  const optional = { hostname: message.hostname, timestamp: message.timestamp, msgid: message.msgid, structured_data: message.structuredData };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) fields[key] = value;
  if (message.format === 'unparsed') fields.unparsed = true;
  if (received.truncated) fields.truncated = true;
  // As for a service's line: the exact bytes when they are not UTF-8.
  if (!valid) fields.raw = bytes.toString('base64');
  return fields;
}
