// What a module that tells corral's own events is handed: logger.warn(words, fields?).
// It lives here, below every layer, because the reaper (native/) logs as well as the
// supervisor does; the one implementation is logging/event-logger.ts.

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** The keys of corral's own JSON object for an event, which an event's fields cannot take. */
export const EVENT_KEYS = ['time', 'source', 'level', 'stream', 'pid', 'message'] as const;

/**
 * Numbers and words for a log pipeline to read without parsing the message (JSON format
 * only: text lines show the message alone). A key of EVENT_KEYS does not compile: the
 * event's own `source`, `level` or `message` is what a pipeline relies on.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined> & { [key in (typeof EVENT_KEYS)[number]]?: never };

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /** For a caller that would build many debug lines: whether they would be written. */
  isDebugEnabled(): boolean;
}
