// Turns one line of a service's output into the bytes corral writes: in text format
// "[time ]label | line", in json format one object per line. The framer hands over each
// line without its newline (or one piece of an over-long line, flagged `continued`).
import { isUtf8 } from 'node:buffer';
import { colourOf, paint } from './ansi-colour.js';
import type { ByteBuilder } from './byte-builder.js';
import type { LogStyle } from './log-style.js';

export interface LineOrigin {
  /** The service's name (json) */
  service: string;
  /** Its label, already padded to the common column width (text) */
  label: string;
  /** Which of the service's streams the line came from */
  stream: 'stdout' | 'stderr';
  pid: number | undefined;
}

export interface LineEncoder {
  /** Called once per chunk read: every line completed by a chunk arrived at that moment. */
  startChunk(): void;
  /** Appends the line source[start, end), encoded, newline included, to out. */
  encode(source: Buffer, start: number, end: number, continued: boolean, out: ByteBuilder): void;
  /** What a whole line gets in front of it when its encoding is that and its newline, so
   * lines can be encoded many at a time (frame-lines.ts); undefined when each line needs
   * its own (json). Valid for the chunk startChunk() began. */
  wholeLineHead(): Buffer | undefined;
}

export type Clock = () => Date;

const NEWLINE = 0x0a;

// One for every encoder (a default parameter's arrow would be a closure per encoder).
const wallClock: Clock = () => new Date();

export function createLineEncoder(style: LogStyle, origin: LineOrigin, colour: boolean, clock: Clock = wallClock): LineEncoder {
  return style.format === 'json' ? new JsonLineEncoder(origin, clock) : new TextLineEncoder(origin, style.timestamps, colour, clock);
}

// Bytes pass through untouched; the label and the separator mark whole lines ("|") and
// the later pieces of a cut line ("+").
class TextLineEncoder implements LineEncoder {
  private readonly head: Buffer;
  private readonly tail: Buffer;
  // head and tail with this chunk's time in front, built once per chunk, not per line.
  private stampedHead: Buffer;
  private stampedTail: Buffer;

  constructor(
    origin: LineOrigin,
    private readonly timestamps: boolean,
    colour: boolean,
    private readonly clock: Clock,
  ) {
    const mark = (separator: string): Buffer =>
      Buffer.from(colour ? `${paint(`${origin.label} ${separator}`, colourOf(origin.service))} ` : `${origin.label} ${separator} `);
    this.head = this.stampedHead = mark('|');
    this.tail = this.stampedTail = mark('+');
  }

  startChunk(): void {
    if (!this.timestamps) return;
    const stamp = Buffer.from(`${this.clock().toISOString()} `);
    this.stampedHead = Buffer.concat([stamp, this.head]);
    this.stampedTail = Buffer.concat([stamp, this.tail]);
  }

  wholeLineHead(): Buffer {
    return this.stampedHead;
  }

  encode(source: Buffer, start: number, end: number, continued: boolean, out: ByteBuilder): void {
    out.append(continued ? this.stampedTail : this.stampedHead);
    out.appendRange(source, start, end);
    out.appendByte(NEWLINE);
  }
}

// Characters a JSON string cannot hold as they are.
// eslint-disable-next-line no-control-regex -- the control characters are what is looked for
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;
const RECORD_END = Buffer.from('"}\n');

// {"time","source":"service","service","stream","pid","message"[,"continued"][,"raw"]}.
// JSON text is Unicode, so a line that is not valid UTF-8 gets its message with U+FFFD
// in place of the bad bytes, for reading, and its exact bytes in "raw" (base64): nothing
// is lost and no consumer needs a regex.
class JsonLineEncoder implements LineEncoder {
  private head = Buffer.alloc(0);

  constructor(
    private readonly origin: LineOrigin,
    private readonly clock: Clock,
  ) {}

  startChunk(): void {
    const { service, stream, pid } = this.origin;
    this.head = Buffer.from(
      `{"time":"${this.clock().toISOString()}","source":"service","service":${JSON.stringify(service)},"stream":"${stream}","pid":${pid ?? 'null'},"message":`,
    );
  }

  // Each line's message is checked, and escaped when it must be.
  wholeLineHead(): undefined {
    return undefined;
  }

  encode(source: Buffer, start: number, end: number, continued: boolean, out: ByteBuilder): void {
    const line = source.subarray(start, end);
    const valid = isUtf8(line);
    const text = line.toString('utf8');
    out.append(this.head);
    // Most lines are valid UTF-8 with nothing to escape: their bytes are the JSON string.
    if (valid && !continued && !NEEDS_ESCAPE.test(text)) {
      out.appendByte(QUOTE);
      out.append(line);
      out.append(RECORD_END);
      return;
    }
    let rest = JSON.stringify(text);
    if (continued) rest += ',"continued":true';
    if (!valid) rest += `,"raw":"${line.toString('base64')}"`;
    out.append(Buffer.from(`${rest}}\n`));
  }
}

const QUOTE = 0x22;
