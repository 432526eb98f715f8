// How a syslog message is written (issue 18): text lines labelled with the program, one
// per line of the message; err and worse on stderr; JSON with the syslog fields; raw
// bytes kept; a label that cannot break the "label | line" layout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelColumn } from '../../src/logging/label-column.js';
import { PLAIN_STYLE } from '../../src/logging/log-style.js';
import { encodeSyslog } from '../../src/logging/syslog-encode.js';
import { parseSyslog } from '../../src/logging/syslog-parse.js';

const AT = new Date('2026-12-03T11:14:52.000Z');
const JSON_STYLE = { ...PLAIN_STYLE, format: 'json' as const };

function encode(data: string | Buffer, style = PLAIN_STYLE, extra: { senderPid?: number; truncated?: boolean } = {}) {
  const message = parseSyslog(typeof data === 'string' ? Buffer.from(data) : data);
  return encodeSyslog({ message, senderPid: extra.senderPid ?? 0, truncated: extra.truncated ?? false, at: AT }, style, new LabelColumn(['corral', 'web']));
}

test('text: the tag is the label, padded like a service name; notice goes to stdout', () => {
  assert.deepEqual(encode('<13>Dec  3 11:14:52 myapp: hello'), { stream: 'stdout', bytes: Buffer.from('myapp  | hello\n') });
});

test('text: err and worse go to stderr; warning does not', () => {
  assert.equal(encode('<11>x: e').stream, 'stderr');
  assert.equal(encode('<8>x: emerg').stream, 'stderr');
  assert.equal(encode('<12>x: w').stream, 'stdout');
});

test('text: a message of several lines is several lines of its program', () => {
  assert.equal(encode('<13>app: one\ntwo\n').bytes.toString(), 'app    | one\napp    | two\n');
});

test('text: no tag, or not syslog at all: labelled syslog, kept whole', () => {
  assert.equal(encode('just words').bytes.toString(), 'syslog | just words\n');
  assert.equal(encode('<13>1 - - - - - - nameless').bytes.toString(), 'syslog | nameless\n');
});

test('text: a "|" or control character in the tag cannot break the layout; a long tag is cut at 40', () => {
  assert.equal(encode('<13>a|b: x').bytes.toString(), 'a?b    | x\n');
  assert.equal(encode(`<13>${'t'.repeat(50)}: x`).bytes.toString(), `${'t'.repeat(40)} | x\n`);
});

test('text: invalid UTF-8 passes through untouched', () => {
  const bytes = encode(Buffer.concat([Buffer.from('<13>app: caf'), Buffer.from([0xe9])])).bytes;
  assert.deepEqual(bytes, Buffer.concat([Buffer.from('app    | caf'), Buffer.from([0xe9, 0x0a])]));
});

test("JSON: the fields of a service's line, source syslog, and facility, severity, tag, pid and the header's fields", () => {
  const { stream, bytes } = encode('<27>Dec  3 11:14:52 vm postfix/smtpd[4242]: connect', JSON_STYLE, { senderPid: 99 });
  assert.equal(stream, 'stderr');
  assert.deepEqual(JSON.parse(bytes.toString()), {
    time: '2026-12-03T11:14:52.000Z',
    source: 'syslog',
    service: 'postfix/smtpd',
    stream: 'stderr',
    pid: 4242,
    message: 'connect',
    facility: 'daemon',
    severity: 'err',
    tag: 'postfix/smtpd',
    hostname: 'vm',
    timestamp: 'Dec  3 11:14:52',
  });
  assert.ok(bytes.toString().endsWith('}\n') && bytes.toString().split('\n').length === 2, 'one line');
});

test("JSON: without a pid in the tag, the sender's; unparsed, truncated and raw are said", () => {
  const record = JSON.parse(
    encode(Buffer.concat([Buffer.from('no pri '), Buffer.from([0xff])]), JSON_STYLE, { senderPid: 77, truncated: true }).bytes.toString(),
  ) as Record<string, unknown>;
  assert.equal(record.pid, 77);
  assert.equal(record.facility, null);
  assert.equal(record.severity, null);
  assert.equal(record.unparsed, true);
  assert.equal(record.truncated, true);
  assert.equal(Buffer.from(record.raw as string, 'base64').toString('latin1'), 'no pri \xff');
});
