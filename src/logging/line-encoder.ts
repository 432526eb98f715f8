// Turns one line of a service's output into the bytes corral writes: in text format
// "[time ]label | line", in json format one object per line. The framer hands over each
// line without its newline (or one piece of an over-long line, flagged `continued`).
import { isUtf8 } from 'node:buffer';
import { colourOf, paint } from './ansi-colour.js';
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
  /** Appends the encoded line, newline included, to out. */
  encode(line: Buffer, continued: boolean, out: Buffer[]): void;
}

export type Clock = () => Date;

const NEWLINE = Buffer.from('\n');

export function createLineEncoder(style: LogStyle, origin: LineOrigin, colour: boolean, clock: Clock = () => new Date()): LineEncoder {
  return style.format === 'json' ? new JsonLineEncoder(origin, clock) : new TextLineEncoder(origin, style.timestamps, colour, clock);
}

// Bytes pass through untouched; the label and the separator mark whole lines ("|") and
// the later pieces of a cut line ("+").
class TextLineEncoder implements LineEncoder {
  private readonly head: Buffer;
  private readonly tail: Buffer;
  private stamp: Buffer | undefined;

  constructor(
    origin: LineOrigin,
    private readonly timestamps: boolean,
    colour: boolean,
    private readonly clock: Clock,
  ) {
    const mark = (separator: string): Buffer =>
      Buffer.from(colour ? `${paint(`${origin.label} ${separator}`, colourOf(origin.service))} ` : `${origin.label} ${separator} `);
    this.head = mark('|');
    this.tail = mark('+');
  }

  startChunk(): void {
    if (this.timestamps) this.stamp = Buffer.from(`${this.clock().toISOString()} `);
  }

  encode(line: Buffer, continued: boolean, out: Buffer[]): void {
    if (this.stamp !== undefined) out.push(this.stamp);
    out.push(continued ? this.tail : this.head, line, NEWLINE);
  }
}

// {"time","source":"service","service","stream","pid","message"[,"continued"][,"raw"]}.
// JSON text is Unicode, so a line that is not valid UTF-8 gets its message with U+FFFD
// in place of the bad bytes, for reading, and its exact bytes in "raw" (base64): nothing
// is lost and no consumer needs a regex.
class JsonLineEncoder implements LineEncoder {
  private head = '';

  constructor(
    private readonly origin: LineOrigin,
    private readonly clock: Clock,
  ) {}

  startChunk(): void {
    const { service, stream, pid } = this.origin;
    this.head = `{"time":"${this.clock().toISOString()}","source":"service","service":${JSON.stringify(service)},"stream":"${stream}","pid":${pid ?? 'null'},"message":`;
  }

  encode(line: Buffer, continued: boolean, out: Buffer[]): void {
    let record = this.head + JSON.stringify(line.toString('utf8'));
    if (continued) record += ',"continued":true';
    if (!isUtf8(line)) record += `,"raw":"${line.toString('base64')}"`;
    out.push(Buffer.from(`${record}}\n`));
  }
}
