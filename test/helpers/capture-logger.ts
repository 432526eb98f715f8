// corral's logger writing "level: message" into an array, for tests of modules that log:
// the real level filter, without the label, the colour or the stream.
import { EventLogger } from '../../src/logging/event-logger.js';
import type { Logger, LogLevel } from '../../src/shared/logger.js';

export function captureLogger(level: LogLevel = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new EventLogger(
    level,
    (eventLevel, message) => `${eventLevel}: ${message}`,
    (event) => void lines.push(event),
  );
  return { logger, lines };
}
