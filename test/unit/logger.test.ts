import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { LabelColumn } from '../../src/logging/label-column.js';
import { PLAIN_STYLE, type LogStyle } from '../../src/logging/log-style.js';
import { DropQueue } from '../../src/logging/drop-queue.js';
import { createLogger, EVENT_LABEL, OWN_LINES_BUDGET, parseLogLevel } from '../../src/logging/logger.js';
import { OutputSink } from '../../src/logging/output-sink.js';
import type { LogLevel } from '../../src/shared/logger.js';
import { FlakyStream } from '../helpers/flaky-stream.js';
import { SlowReader } from '../helpers/slow-reader.js';

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
  const log = createLogger(new OutputSink('stderr', stream), 'debug', column, style, { clock: () => new Date('2026-11-23T10:00:00.000Z') });
  return { log, text: () => Buffer.concat(chunks).toString() };
}

describe('corral events', () => {
  test("text: the corral label in the services' column, a level word for warnings and errors", () => {
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

  test('json: a multi-line message with fields is one object, the fields after the message in the order given', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, format: 'json' });
    log.error('invalid configuration:\na.yaml:1:1: bad', { service: 'web', dropped_lines: 3, missing: undefined, gone: null });
    assert.equal(
      text(),
      `{"time":"2026-11-23T10:00:00.000Z","source":"corral","level":"error","stream":"stderr","pid":${process.pid},` +
        '"message":"invalid configuration:\\na.yaml:1:1: bad","service":"web","dropped_lines":3,"gone":null}\n',
    );
  });

  test("json: a field named like one of the event's own keys does not compile and is left out, so source and level stay corral's", () => {
    const { log, text } = capture({ ...PLAIN_STYLE, format: 'json' });
    // @ts-expect-error: source, level and message are the event's own
    log.warn('syslog: dropped 2 line(s)', { source: 'syslog', level: 'error', message: 'more', pid: 7, dropped_lines: 2 });
    assert.equal(
      text(),
      `{"time":"2026-11-23T10:00:00.000Z","source":"corral","level":"warn","stream":"stderr","pid":${process.pid},"message":"syslog: dropped 2 line(s)","dropped_lines":2}\n`,
    );
  });

  test('text with colour: an error red, debug bold, info without a word; every line of a message keeps the bold label', () => {
    const { log, text } = capture({ ...PLAIN_STYLE, colour: { stdout: false, stderr: true } });
    log.error('bad\nworse');
    log.debug('detail');
    log.info('fine');
    const label = '\x1b[1mcorral     |\x1b[0m ';
    assert.equal(text(), `${label}\x1b[31merror: \x1b[0mbad\n${label}worse\n${label}\x1b[1mdebug: \x1b[0mdetail\n${label}fine\n`);
  });

  test('log(level, ...) writes as the method of that level does', () => {
    const { log, text } = capture(PLAIN_STYLE);
    log.log('warn', 'careful');
    log.log('info', 'fine');
    assert.equal(text(), 'corral     | warning: careful\ncorral     | fine\n');
  });

  test('one write per event, the newline in it, however many lines the message has', () => {
    const writes: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString());
        callback();
      },
    });
    const log = createLogger(new OutputSink('stderr', stream), 'info', new LabelColumn([EVENT_LABEL]), PLAIN_STYLE);
    log.info('one\ntwo');
    log.warn('three');
    assert.deepEqual(writes, ['corral | one\ncorral | two\n', 'corral | warning: three\n']);
  });
});

describe('the level (CORRAL_LOG_LEVEL)', () => {
  // A logger at `level` that counts the times its clock is read: once per event formatted.
  function atLevel(level: LogLevel): { log: ReturnType<typeof createLogger>; text: () => string; formatted: () => number } {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    let reads = 0;
    const clock = (): Date => {
      reads += 1;
      return new Date('2026-11-23T10:00:00.000Z');
    };
    const log = createLogger(new OutputSink('stderr', stream), level, new LabelColumn([EVENT_LABEL]), { ...PLAIN_STYLE, timestamps: true }, { clock });
    return { log, text: () => Buffer.concat(chunks).toString(), formatted: () => reads };
  }

  test('info (the default): debug events write nothing and are not even formatted; isDebugEnabled says so', () => {
    const { log, text, formatted } = atLevel(parseLogLevel(undefined));
    log.debug('reaped orphan pid 5', { pid_reaped: 5 });
    log.log('debug', 'init: skipped');
    assert.equal(text(), '');
    assert.equal(formatted(), 0, 'no line was built');
    assert.equal(log.isDebugEnabled(), false);
    log.info('shown');
    assert.equal(text(), '2026-11-23T10:00:00.000Z corral | shown\n');
  });

  test('each level writes its own events and those above it, never those below', () => {
    const written: Record<string, string[]> = {};
    for (const level of ['error', 'warn', 'info', 'debug'] as const) {
      const { log, text } = atLevel(level);
      for (const event of ['error', 'warn', 'info', 'debug'] as const) log[event](event);
      written[level] = text()
        .trim()
        .split('\n')
        .map((line) => line.split('| ')[1]!);
      assert.equal(log.isDebugEnabled(), level === 'debug', level);
    }
    assert.deepEqual(written, {
      error: ['error: error'],
      warn: ['error: error', 'warning: warn'],
      info: ['error: error', 'warning: warn', 'info'],
      debug: ['error: error', 'warning: warn', 'info', 'debug: debug'],
    });
  });

  test('CORRAL_LOG_LEVEL is read without regard to case; an unknown word is info', () => {
    assert.deepEqual(['DEBUG', 'warn', 'Error', 'info', 'verbose', ''].map(parseLogLevel), ['debug', 'warn', 'error', 'info', 'info', 'info']);
  });
});

// corral's own lines are 128 bytes each here: "corral     | " (13), the message, "\n".
const LINE_BYTES = 128;
function ownLine(n: number): string {
  return `own line ${n} `.padEnd(LINE_BYTES - 14, '.');
}

describe("corral's own lines while stderr is blocked", () => {
  const column = new LabelColumn([EVENT_LABEL, 'web-server']);

  test(`up to ${OWN_LINES_BUDGET} bytes wait; the line just past them is dropped whole and counted; once stderr drains the kept ones come out, then the count`, async () => {
    const reader = new SlowReader(16);
    const log = createLogger(new OutputSink('stderr', reader), 'info', column, PLAIN_STYLE);
    log.info('the first line fills the stream');
    const fit = OWN_LINES_BUDGET / LINE_BYTES;
    for (let n = 1; n <= fit + 1; n++) log.info(ownLine(n));
    await reader.release();
    const lines = reader.text().split('\n');
    assert.equal(lines.pop(), '', 'whole lines');
    assert.equal(lines.length, 1 + fit + 1, 'the first, those that fit, the report');
    assert.deepEqual(
      lines.slice(1, -1),
      Array.from({ length: fit }, (_, i) => `corral     | ${ownLine(i + 1)}`),
      'in order, whole',
    );
    assert.equal(lines.at(-1), `corral     | warning: corral dropped 1 of its own log line(s) (${LINE_BYTES} bytes) while its stderr was blocked`);
  });

  test('a flood of them costs no memory past the budget: the stream holds one write past its mark', async () => {
    const reader = new SlowReader(16);
    const log = createLogger(new OutputSink('stderr', reader), 'info', column, { ...PLAIN_STYLE, format: 'json' });
    log.info('the first line fills the stream');
    for (let n = 1; n <= 20_000; n++) log.info(ownLine(n));
    assert.ok(reader.writableLength < 1024, `${reader.writableLength} bytes wait in the stream`);
    await reader.release();
    const records = reader
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const kept = records.filter((record) => String(record.message).startsWith('own line'));
    const report = records.at(-1)!;
    assert.ok(reader.text().length < OWN_LINES_BUDGET * 2, `${reader.text().length} bytes came out`);
    assert.equal(report.dropped_lines, 20_000 - kept.length, 'every line is kept or counted');
    assert.deepEqual([report.level, report.dropped_stream, typeof report.dropped_bytes], ['warn', 'stderr', 'number']);
  });

  test("they never take a service's line: a block-mode service waiting meanwhile, and a drop-mode one within its buffer, lose nothing", async () => {
    const reader = new SlowReader(16);
    const sink = new OutputSink('stderr', reader);
    const log = createLogger(sink, 'info', column, PLAIN_STYLE);
    log.info('the first line fills the stream');
    const dropMode = new DropQueue(4096, sink, () => assert.fail('the drop-mode service lost lines'));
    const held = {
      bytes: Buffer.from('block | its one line\n') as Buffer | undefined,
      get hasMore() {
        return this.bytes !== undefined;
      },
      take() {
        const b = this.bytes;
        this.bytes = undefined;
        return b;
      },
    };
    sink.enqueue(held);
    for (let n = 1; n <= 2000; n++) {
      log.info(ownLine(n));
      if (n % 200 === 0) dropMode.forward(Buffer.from(`drop | line ${n / 200}\n`));
    }
    await reader.release();
    const text = reader.text();
    assert.ok(text.includes('block | its one line\n'));
    for (let n = 1; n <= 10; n++) assert.ok(text.includes(`drop | line ${n}\n`), `drop-mode line ${n}`);
    assert.match(text, /corral dropped \d+ of its own log line/);
  });

  test('the logger reports the failures of its sink and of the sinks it is given: failing, then the count once a write succeeds', async () => {
    const stderr = new SlowReader(1024 * 1024);
    const stdout = new FlakyStream();
    const stdoutSink = new OutputSink('stdout', stdout);
    createLogger(new OutputSink('stderr', stderr), 'info', new LabelColumn([EVENT_LABEL]), PLAIN_STYLE, { alsoReportFor: [stdoutSink] });
    stdout.failWith = 'ENOSPC';
    stdoutSink.write('web | a\n');
    stdoutSink.write('web | b\n');
    await new Promise((resolve) => setImmediate(resolve));
    stdout.failWith = undefined;
    stdoutSink.write('web | c\n');
    await new Promise((resolve) => setImmediate(resolve));
    await stderr.release();
    assert.equal(stdout.text(), 'web | c\n');
    assert.equal(
      stderr.text(),
      'corral | warning: cannot write to stdout: no space left on device (ENOSPC); its lines are dropped, and counted, until a write succeeds\n' +
        'corral | warning: stdout works again: 2 line(s) (16 bytes) were dropped while writing failed with no space left on device (ENOSPC)\n',
    );
  });

  test('a sink whose reader is gone is reported once, in JSON with its fields', async () => {
    const stderr = new SlowReader(1024 * 1024);
    const stdout = new FlakyStream();
    const stdoutSink = new OutputSink('stdout', stdout);
    createLogger(new OutputSink('stderr', stderr), 'info', new LabelColumn([EVENT_LABEL]), { ...PLAIN_STYLE, format: 'json' }, { alsoReportFor: [stdoutSink] });
    stdout.failWith = 'EPIPE';
    stdoutSink.write('web | a\n');
    stdoutSink.write('web | b\n');
    await new Promise((resolve) => setImmediate(resolve));
    await stderr.release();
    const records = stderr
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map(({ level, message, closed_stream, errno }) => ({ level, message, closed_stream, errno })),
      [
        {
          level: 'warn',
          message: 'stdout has no reader any more: broken pipe (EPIPE); its lines are dropped from now on',
          closed_stream: 'stdout',
          errno: 'EPIPE',
        },
      ],
    );
  });
});
