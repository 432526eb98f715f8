// corral's own events, through winston, to stderr, in the same "name | text" shape as the
// services' lines so docker logs reads as one stream. Events say what happened in words:
// "web exited with code 3; restarting in 1s".
import { Writable } from 'node:stream';
import winston from 'winston';
import type { LabelColumn } from './label-column.js';
import type { OutputSink } from './output-sink.js';

export const EVENT_LABEL = 'corral';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export function parseLogLevel(text: string | undefined): LogLevel {
  const level = (text ?? 'info').toLowerCase();
  return level === 'error' || level === 'warn' || level === 'debug' ? level : 'info';
}

// A logger whose lines go through `sink`, its label padded like the services' labels.
export function createLogger(sink: OutputSink, level: LogLevel, column: LabelColumn): winston.Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.write(chunk);
      callback();
    },
  });
  const format = winston.format.printf(({ level: lvl, message }) => {
    const tag = lvl === 'info' ? '' : `${lvl === 'warn' ? 'warning' : lvl}: `;
    const prefix = `${column.pad(EVENT_LABEL)} | `;
    // Every line of a multi-line message gets the prefix, so none is unattributed.
    return String(message)
      .split('\n')
      .map((line, i) => (i === 0 ? `${prefix}${tag}${line}` : `${prefix}${line}`))
      .join('\n');
  });
  return winston.createLogger({
    level,
    format,
    transports: [new winston.transports.Stream({ stream, eol: '\n' })],
  });
}
