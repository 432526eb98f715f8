// How one of corral's events reads, in the services' format so docker logs reads as one
// stream: "corral | text" in text format, and in json format the same object as a service
// line with "source": "corral" and a "level", so a log pipeline tells them apart by a field.
// The result has no final newline; a multi-line message gives several lines of text, or
// one object.
import { BOLD, paint, RED, YELLOW } from './ansi-colour.js';
import type { LabelColumn } from './label-column.js';
import { EVENT_KEYS, type LogFields, type LogLevel } from '../shared/logger.js';

export const EVENT_LABEL = 'corral';

export type EventFormat = (level: LogLevel, message: string, fields: LogFields | undefined) => string;

export function textFormat(column: LabelColumn, timestamps: boolean, colour: boolean, clock: () => Date): EventFormat {
  return (level, message) => {
    const word = level === 'info' ? '' : `${level === 'warn' ? 'warning' : level}: `;
    const tag = colour && word !== '' ? paint(word, level === 'error' ? RED : level === 'warn' ? YELLOW : BOLD) : word;
    const label = `${column.pad(EVENT_LABEL)} |`;
    const prefix = `${timestamps ? `${clock().toISOString()} ` : ''}${colour ? paint(label, BOLD) : label} `;
    // Every line of a multi-line message gets the prefix, so none is unattributed.
    return message
      .split('\n')
      .map((line, i) => (i === 0 ? `${prefix}${tag}${line}` : `${prefix}${line}`))
      .join('\n');
  };
}

// One object per event; a multi-line message stays one object. Fields given with the
// event (logger.warn(text, {service, dropped_lines})) come after the message, so a log
// pipeline reads the numbers without parsing the words.
export function jsonFormat(stream: 'stdout' | 'stderr', clock: () => Date): EventFormat {
  return (level, message, fields) =>
    JSON.stringify({ time: clock().toISOString(), source: 'corral', level, stream, pid: process.pid, message, ...(fields && ownFields(fields)) });
}

// The fields without corral's own keys. The type of LogFields already refuses them; this
// holds for fields whose type was cast, so `source` and `level` always say what docs/logs.md
// says they do. (winston, which formatted events before, let a field overwrite them.)
function ownFields(fields: LogFields): LogFields {
  if (!EVENT_KEYS.some((key) => Object.hasOwn(fields, key))) return fields;
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !(EVENT_KEYS as readonly string[]).includes(key)));
}
