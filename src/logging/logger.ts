// corral's own events, through winston, to stderr, in the services' format so docker logs
// reads as one stream: "corral | text" in text format, and in json format the same object
// as a service line with "source": "corral" and a "level", so a log pipeline tells them
// apart by a field. Events say what happened in words: "web exited with code 3; restarting in 1s".
import { Writable } from 'node:stream';
import winston from 'winston';
import { BOLD, paint, RED, YELLOW } from './ansi-colour.js';
import type { LabelColumn } from './label-column.js';
import type { LogStyle } from './log-style.js';
import type { OutputSink } from './output-sink.js';

export const EVENT_LABEL = 'corral';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text ?? 'info').toLowerCase();
  return level === 'error' || level === 'warn' || level === 'debug' ? level : 'info';
}

// A logger whose lines go through `sink`, its label padded like the services' labels.
export function createLogger(sink: OutputSink, level: LogLevel, column: LabelColumn, style: LogStyle, clock: () => Date = () => new Date()): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.write(chunk);
      callback();
    },
  });
  const format = style.format === 'json' ? jsonFormat(sink.name, clock) : textFormat(column, style.timestamps, style.colour[sink.name], clock);
  return winston.createLogger({
    level,
    format,
    transports: [new winston.transports.Stream({ stream, eol: '\n' })],
  });
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
