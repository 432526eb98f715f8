// corral's logger: a level filter in front of a format and a writer, nothing else. It
// replaced winston (issue 20), which cost the long-running corral about 9 MiB of memory
// for a level check, a printf and one stream.
import type { EventFormat } from './event-format.js';
import type { LogFields, Logger, LogLevel } from '../shared/logger.js';

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export class EventLogger implements Logger {
  readonly #rank: number;

  constructor(
    level: LogLevel,
    private readonly format: EventFormat,
    /** One call per event, with its text (all its lines) and no final newline. */
    private readonly write: (event: string) => void,
  ) {
    this.#rank = RANK[level];
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  // An event below the level returns here, before any string is built.
  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (RANK[level] > this.#rank) return;
    this.write(this.format(level, message, fields));
  }

  isDebugEnabled(): boolean {
    return this.#rank >= RANK.debug;
  }
}
