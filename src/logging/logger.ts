// corral's own events, to stderr, in the services' format (event-format.ts), filtered by
// CORRAL_LOG_LEVEL (event-logger.ts). Events say what happened in words: "web exited with
// code 3; restarting in 1s".
// corral's own lines obey backpressure like a drop-mode service's: while stderr is blocked
// they wait in a queue of OWN_LINES_BUDGET bytes, and lines past it are dropped whole and
// counted, never buffered without bound and never in the way of a service's line.
import { formatByteCount } from '../config/byte-size.js';
import { DropQueue, type Dropped } from './drop-queue.js';
import { EVENT_LABEL, jsonFormat, textFormat } from './event-format.js';
import { EventLogger } from './event-logger.js';
import type { LabelColumn } from './label-column.js';
import type { LogStyle } from './log-style.js';
import type { OutputSink, OutputTrouble } from './output-sink.js';
import type { Logger, LogLevel } from '../shared/logger.js';
import { describeSystemError } from '../shared/system-error.js';

export { EVENT_LABEL };

/** corral's own lines that may wait for a blocked stderr: some hundreds of events. */
export const OWN_LINES_BUDGET = 64 * 1024;

export function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text ?? 'info').toLowerCase();
  return level === 'error' || level === 'warn' || level === 'debug' ? level : 'info';
}

export interface LoggerOptions {
  clock?: () => Date;
  /** Other sinks whose failures this logger reports (its own sink's are reported anyway). */
  alsoReportFor?: OutputSink[];
}

// A logger whose lines go through `sink`, its label padded like the services' labels: one
// write of the whole event and its newline, as a service's line is written.
export function createLogger(sink: OutputSink, level: LogLevel, column: LabelColumn, style: LogStyle, options: LoggerOptions = {}): Logger {
  const clock = options.clock ?? (() => new Date());
  // The report waits for the current write to finish: it is itself a line of this logger.
  const own = new DropQueue(OWN_LINES_BUDGET, sink, (dropped) => queueMicrotask(() => reportOwnDrop(logger, sink.name, dropped)), Date.now, Infinity);
  const format = style.format === 'json' ? jsonFormat(sink.name, clock) : textFormat(column, style.timestamps, style.colour[sink.name], clock);
  const logger = new EventLogger(level, format, (event) => own.forward(Buffer.from(`${event}\n`)));
  for (const watched of new Set([sink, ...(options.alsoReportFor ?? [])])) watched.watch((trouble) => reportTrouble(logger, trouble));
  return logger;
}

function reportOwnDrop(logger: Logger, stream: 'stdout' | 'stderr', { lines, bytes }: Dropped): void {
  logger.warn(`corral dropped ${lines} of its own log line(s) (${formatByteCount(bytes)}) while its ${stream} was blocked`, {
    dropped_stream: stream,
    dropped_lines: lines,
    dropped_bytes: bytes,
  });
}

// Failures to write corral's stdout or stderr, told on stderr: when it is stderr that
// fails, the words are lost with the rest, and its 'recovered' report carries the count.
function reportTrouble(logger: Logger, trouble: OutputTrouble): void {
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
