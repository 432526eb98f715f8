import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { LabelColumn } from '../../src/logging/label-column.js';
import { PLAIN_STYLE, type LogStyle } from '../../src/logging/log-style.js';
import { createLogger, EVENT_LABEL } from '../../src/logging/logger.js';
import { OutputSink } from '../../src/logging/output-sink.js';

// A logger writing into a string, with a fixed clock.
function capture(style: LogStyle): { log: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const column = new LabelColumn([EVENT_LABEL, 'web-server']);
  const log = createLogger(new OutputSink('stderr', stream), 'debug', column, style, () => new Date('2026-11-23T10:00:00.000Z'));
  return { log, text: () => Buffer.concat(chunks).toString() };
}

describe('corral events', () => {
  test('text: the corral label in the services\' column, a level word for warnings and errors', () => {
    const { log, text } = capture(PLAIN_STYLE);
    log.info('web exited with code 3');
    log.warn('careful');
    assert.equal(text(), 'corral     | web exited with code 3\ncorral     | warning: careful\n');
  });

  test('text: every line of a multi-line message is prefixed', () => {
    const { log, text } = capture(PLAIN_STYLE);
    log.error('invalid configuration:\na.yaml:1:1: bad');
    assert.equal(text(), 'corral     | error: invalid configuration:\ncorral     | a.yaml:1:1: bad\n');
  });

  test('text with timestamps: the same RFC 3339 form as service lines', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, timestamps: true });
    log.info('hello');
    assert.equal(text(), '2026-11-23T10:00:00.000Z corral     | hello\n');
  });

  test('text with colour: the label is bold, a warning yellow, the message plain', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, colour: { stdout: false, stderr: true } });
    log.warn('careful');
    assert.equal(text(), '\x1b[1mcorral     |\x1b[0m \x1b[33mwarning: \x1b[0mcareful\n');
  });

  test('json: one object per event, told apart from service lines by source and level', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, format: 'json' });
    log.warn('two\nlines');
    const lines = text().split('\n');
    assert.equal(lines.length, 2, 'one object and the final newline');
    assert.deepEqual(JSON.parse(lines[0]!), {
      time: '2026-11-23T10:00:00.000Z',
      source: 'corral',
      level: 'warn',
      stream: 'stderr',
      pid: process.pid,
      message: 'two\nlines',
    });
  });

  test('json: fields given with an event follow the message, for pipelines to read without a regex', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, format: 'json' });
    log.warn('web: dropped 3 line(s)', { service: 'web', dropped_lines: 3, dropped_bytes: 300 });
    const record = JSON.parse(text()) as Record<string, unknown>;
    assert.deepEqual([record.message, record.service, record.dropped_lines, record.dropped_bytes], ['web: dropped 3 line(s)', 'web', 3, 300]);
  });

  test('text: fields given with an event do not change the line', () => {
    const { log, text } = capture(PLAIN_STYLE);
    log.warn('web: dropped 3 line(s)', { service: 'web', dropped_lines: 3 });
    assert.equal(text(), 'corral     | warning: web: dropped 3 line(s)\n');
  });
});
