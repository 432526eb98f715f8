import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLineEncoder, type LineOrigin } from '../../src/logging/line-encoder.js';
import { LineFramer } from '../../src/logging/line-framer.js';
import { PLAIN_STYLE, type LogStyle } from '../../src/logging/log-style.js';

const origin: LineOrigin = { service: 'web', label: 'web   ', stream: 'stderr', pid: 42 };
const at = (iso: string) => () => new Date(iso);
const TEXT: LogStyle = PLAIN_STYLE;
const JSON_STYLE: LogStyle = { ...PLAIN_STYLE, format: 'json' };

function frame(style: LogStyle, input: Buffer | string, options: { colour?: boolean; maxLine?: number; clock?: () => Date } = {}): Buffer {
  const framer = new LineFramer(
    createLineEncoder(style, origin, options.colour ?? false, options.clock ?? at('2026-11-23T10:00:00.000Z')),
    options.maxLine ?? 1024,
  );
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  return Buffer.concat([framer.push(bytes) ?? Buffer.alloc(0), framer.end() ?? Buffer.alloc(0)]);
}

function records(bytes: Buffer): Record<string, unknown>[] {
  const text = bytes.toString('utf8');
  assert.ok(text.endsWith('\n'), 'every record ends with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('text encoding', () => {
  test('label, separator, line; the label is used as given (already padded)', () => {
    assert.equal(frame(TEXT, 'hello\n').toString(), 'web    | hello\n');
  });

  test('timestamps: RFC 3339 in UTC, one per chunk, in front of the label', () => {
    const style = { ...TEXT, timestamps: true };
    assert.equal(frame(style, 'a\nb\n').toString(), '2026-11-23T10:00:00.000Z web    | a\n2026-11-23T10:00:00.000Z web    | b\n');
  });

  test('a line finished by a later chunk carries the time of the chunk that finished it', () => {
    const times = ['2026-11-23T10:00:00.000Z', '2026-11-23T10:00:05.000Z'];
    const framer = new LineFramer(
      createLineEncoder({ ...TEXT, timestamps: true }, origin, false, () => new Date(times.shift()!)),
      1024,
    );
    assert.equal(framer.push(Buffer.from('par')), undefined);
    assert.equal(framer.push(Buffer.from('tial\n'))?.toString(), '2026-11-23T10:00:05.000Z web    | partial\n');
  });

  test("colour wraps the label and separator in the service's colour; the line is untouched", () => {
    const out = frame(TEXT, 'x\x1b[1mbold\n', { colour: true }).toString();
    assert.match(out.replaceAll('\x1b', '<ESC>'), /^<ESC>\[\d+mweb {4}\|<ESC>\[0m x<ESC>\[1mbold\n$/);
    assert.equal(out, frame(TEXT, 'x\x1b[1mbold\n', { colour: true }).toString(), 'the same service always gets the same colour');
  });
});

describe('json encoding', () => {
  test('one object per line with time, source, service, stream, pid and message', () => {
    assert.deepEqual(records(frame(JSON_STYLE, 'hello "world"\n\ttab\n')), [
      { time: '2026-11-23T10:00:00.000Z', source: 'service', service: 'web', stream: 'stderr', pid: 42, message: 'hello "world"' },
      { time: '2026-11-23T10:00:00.000Z', source: 'service', service: 'web', stream: 'stderr', pid: 42, message: '\ttab' },
    ]);
  });

  test('UTF-8 text is kept as text; a carriage return stays in the message', () => {
    assert.deepEqual(
      records(frame(JSON_STYLE, 'naïve €\r\n')).map((record) => record.message),
      ['naïve €\r'],
    );
  });

  test('invalid UTF-8: a readable message plus the exact bytes in "raw"', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x62, 0xc3, 0x0a]);
    const [record] = records(frame(JSON_STYLE, bytes));
    assert.equal(record!.message, 'a\ufffdb\ufffd');
    assert.deepEqual(Buffer.from(record!.raw as string, 'base64'), bytes.subarray(0, 4));
  });

  test('valid lines have no "raw" field', () => {
    assert.equal(records(frame(JSON_STYLE, 'ok\n'))[0]!.raw, undefined);
  });

  test('pieces of a cut line: the later ones are marked "continued", and join to the line', () => {
    const line = 'abcdefghij';
    const got = records(frame(JSON_STYLE, `${line}\n`, { maxLine: 4 }));
    assert.deepEqual(
      got.map((record) => [record.message, record.continued]),
      [
        ['abcd', undefined],
        ['efgh', true],
        ['ij', true],
      ],
    );
    assert.equal(got.map((record) => record.message).join(''), line);
  });

  test('a multi-byte character cut between two pieces is not lost: "raw" keeps the bytes', () => {
    const got = records(frame(JSON_STYLE, 'ab€\n', { maxLine: 3 })); // 61 62 e2 | 82 ac
    const bytes = Buffer.concat(
      got.map((record) => (record.raw === undefined ? Buffer.from(record.message as string) : Buffer.from(record.raw as string, 'base64'))),
    );
    assert.equal(bytes.toString('utf8'), 'ab€');
  });

  test('an unfinished last line is flushed as a record', () => {
    assert.deepEqual(
      records(frame(JSON_STYLE, 'no newline')).map((record) => record.message),
      ['no newline'],
    );
  });

  test('a service that could not be started has pid null', () => {
    const framer = new LineFramer(createLineEncoder(JSON_STYLE, { ...origin, pid: undefined }, false), 64);
    assert.equal(records(framer.push(Buffer.from('x\n'))!)[0]!.pid, null);
  });
});
