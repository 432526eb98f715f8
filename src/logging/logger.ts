// corral's own events, through winston, to stderr, in the services' format so docker logs
// reads as one stream: "corral | text" in text format, and in json format the same object
// as a service line with "source": "corral" and a "level", so a log pipeline tells them
// apart by a field. Events say what happened in words: "web exited with code 3; restarting in 1s".
// corral's own lines obey backpressure like a drop-mode service's: while stderr is blocked
// they wait in a queue of OWN_LINES_BUDGET bytes, and lines past it are dropped whole and
// counted, never buffered without bound and never in the way of a service's line.
import { Writable } from 'node:stream';
import winston from 'winston';
import { formatByteCount } from '../config/byte-size.js';
import { BOLD, paint, RED, YELLOW } from './ansi-colour.js';
import { DropQueue, type Dropped } from './drop-queue.js';
import type { LabelColumn } from './label-column.js';
import type { LogStyle } from './log-style.js';
import type { OutputSink, OutputTrouble } from './output-sink.js';
import { describeSystemError } from '../shared/system-error.js';

export const EVENT_LABEL = 'corral';

/** corral's own lines that may wait for a blocked stderr: some hundreds of events. */
export const OWN_LINES_BUDGET = 64 * 1024;

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text ?? 'info').toLowerCase();
  return level === 'error' || level === 'warn' || level === 'debug' ? level : 'info';
}

export interface LoggerOptions {
  clock?: () => Date;
  /** Other sinks whose failures this logger reports (its own sink's are reported anyway). */
  alsoReportFor?: OutputSink[];
}

// A logger whose lines go through `sink`, its label padded like the services' labels.
export function createLogger(sink: OutputSink, level: LogLevel, column: LabelColumn, style: LogStyle, options: LoggerOptions = {}): winston.Logger {
  const clock = options.clock ?? (() => new Date());
  // The report waits for the current write to finish: it is itself a line of this logger.
  const own = new DropQueue(OWN_LINES_BUDGET, sink, (dropped) => queueMicrotask(() => reportOwnDrop(logger, sink.name, dropped)), Date.now, Infinity);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      own.forward(chunk);
      callback();
    },
  });
  const format = style.format === 'json' ? jsonFormat(sink.name, clock) : textFormat(column, style.timestamps, style.colour[sink.name], clock);
  const logger = winston.createLogger({
    level,
    format,
    transports: [new winston.transports.Stream({ stream, eol: '\n' })],
  });
  for (const watched of new Set([sink, ...(options.alsoReportFor ?? [])])) watched.watch((trouble) => reportTrouble(logger, trouble));
  return logger;
}

function reportOwnDrop(logger: winston.Logger, stream: 'stdout' | 'stderr', { lines, bytes }: Dropped): void {
  logger.warn(`corral dropped ${lines} of its own log line(s) (${formatByteCount(bytes)}) while its ${stream} was blocked`, {
    dropped_stream: stream,
    dropped_lines: lines,
    dropped_bytes: bytes,
  });
}

// Failures to write corral's stdout or stderr, told on stderr: when it is stderr that
// fails, the words are lost with the rest, and its 'recovered' report carries the count.
function reportTrouble(logger: winston.Logger, trouble: OutputTrouble): void {
  const { stream, code } = trouble;
  const why = describeSystemError({ code });
  switch (trouble.kind) {
    case 'failing':
      logger.warn(`cannot write to ${stream}: ${why}; its lines are dropped, and counted, until a write succeeds`, { failed_stream: stream, errno: code });
      return;
    case 'recovered':
      logger.warn(`${stream} works again: ${trouble.lines} line(s) (${formatByteCount(trouble.bytes)}) were dropped while writing failed with ${why}`, {
        lost_stream: stream,
        lost_lines: trouble.lines,
        lost_bytes: trouble.bytes,
        errno: code,
      });
      return;
    case 'closed':
      logger.warn(`${stream} has no reader any more: ${why}; its lines are dropped from now on`, { closed_stream: stream, errno: code });
      return;
  }
}

function textFormat(column: LabelColumn, timestamps: boolean, colour: boolean, clock: () => Date): winston.Logform.Format {
  return winston.format.printf(({ level, message }) => {
    const word = level === 'info' ? '' : `${level === 'warn' ? 'warning' : level}: `;
    const tag = colour && word !== '' ? paint(word, level === 'error' ? RED : level === 'warn' ? YELLOW : BOLD) : word;
    const label = `${column.pad(EVENT_LABEL)} |`;
    const prefix = `${timestamps ? `${clock().toISOString()} ` : ''}${colour ? paint(label, BOLD) : label} `;
    // Every line of a multi-line message gets the prefix, so none is unattributed.
    return String(message)
      .split('\n')
      .map((line, i) => (i === 0 ? `${prefix}${tag}${line}` : `${prefix}${line}`))
      .join('\n');
  });
}

// One object per event; a multi-line message stays one object. Fields given with the
// event (logger.warn(text, {service, dropped_lines})) come after the message, so a log
// pipeline reads the numbers without parsing the words.
function jsonFormat(stream: 'stdout' | 'stderr', clock: () => Date): winston.Logform.Format {
  return winston.format.printf(({ level, message, ...fields }) =>
    JSON.stringify({ time: clock().toISOString(), source: 'corral', level, stream, pid: process.pid, message: String(message), ...fields }),
  );
}
