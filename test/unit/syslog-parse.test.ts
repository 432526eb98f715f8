// syslog messages as they reach /dev/log (issue 18): RFC 3164 from logger, glibc's
// syslog(3) and relays, RFC 5424 with and without structured data, and everything that
// is neither, which is kept whole.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isErrorSeverity, parseSyslog, type SyslogMessage } from '../../src/logging/syslog-parse.js';

// The parse of `text` with the message as a string, for comparing.
function parse(input: string | Buffer): Omit<SyslogMessage, 'message'> & { message: string } {
  const parsed = parseSyslog(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  const fields = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined)) as SyslogMessage;
  return { ...fields, message: parsed.message.toString('utf8') };
}

describe('RFC 3164', () => {
  test("logger on a local socket: no hostname (util-linux's local header)", () => {
    assert.deepEqual(parse('<13>Dec  3 11:14:52 myapp: hello'), {
      format: 'rfc3164',
      facility: 'user',
      severity: 'notice',
      timestamp: 'Dec  3 11:14:52',
      tag: 'myapp',
      message: 'hello',
    });
  });

  test('with a hostname (logger --rfc3164), and a priority of daemon.err', () => {
    assert.deepEqual(parse('<27>Dec  3 11:14:52 vm myapp: hello3164'), {
      format: 'rfc3164',
      facility: 'daemon',
      severity: 'err',
      timestamp: 'Dec  3 11:14:52',
      hostname: 'vm',
      tag: 'myapp',
      message: 'hello3164',
    });
  });

  test("glibc's syslog(3) with LOG_PID, and a tag with a slash (postfix)", () => {
    assert.deepEqual(parse('<22>Dec 13 01:02:03 postfix/smtpd[4242]: connect from x'), {
      format: 'rfc3164',
      facility: 'mail',
      severity: 'info',
      timestamp: 'Dec 13 01:02:03',
      tag: 'postfix/smtpd',
      pid: '4242',
      message: 'connect from x',
    });
  });

  test('a pid without the colon, as some old programs write it', () => {
    assert.deepEqual(parse('<30>Jan  1 00:00:00 named[12] zone loaded'), {
      format: 'rfc3164',
      facility: 'daemon',
      severity: 'info',
      timestamp: 'Jan  1 00:00:00',
      tag: 'named',
      pid: '12',
      message: 'zone loaded',
    });
  });

  test('an RFC 3339 time in a BSD header (rsyslog high precision)', () => {
    assert.deepEqual(parse('<134>2026-12-03T11:14:52.123456+01:00 web01 app: ok'), {
      format: 'rfc3164',
      facility: 'local0',
      severity: 'info',
      timestamp: '2026-12-03T11:14:52.123456+01:00',
      hostname: 'web01',
      tag: 'app',
      message: 'ok',
    });
  });

  test('no timestamp: a tag right after the priority', () => {
    assert.deepEqual(parse('<11>cron: job failed'), { format: 'rfc3164', facility: 'user', severity: 'err', tag: 'cron', message: 'job failed' });
  });

  test('no timestamp and no tag: the rest is the message, and a word before a colon-less word is no hostname', () => {
    assert.deepEqual(parse('<14>just some words here'), { format: 'rfc3164', facility: 'user', severity: 'info', message: 'just some words here' });
  });

  test('a timestamp but no tag: the rest is the message', () => {
    assert.deepEqual(parse('<14>Feb 28 23:59:59 free text without a tag'), {
      format: 'rfc3164',
      facility: 'user',
      severity: 'info',
      timestamp: 'Feb 28 23:59:59',
      message: 'free text without a tag',
    });
  });

  test('an empty message; a trailing newline and NUL are not part of the message', () => {
    assert.equal(parse('<13>Dec  3 11:14:52 app:').message, '');
    assert.equal(parse('<13>Dec  3 11:14:52 app: line\n\0').message, 'line');
    assert.equal(parse('<13>Dec  3 11:14:52 app: two\nlines\n').message, 'two\nlines');
  });

  test('invalid UTF-8 in the message is kept byte for byte', () => {
    const bytes = Buffer.concat([Buffer.from('<13>Dec  3 11:14:52 app: caf'), Buffer.from([0xe9, 0xff])]);
    assert.deepEqual(parseSyslog(bytes).message, Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9, 0xff])]));
  });

  test('facility and severity from every corner of the priority: 0 is kern.emerg, 191 local7.debug', () => {
    assert.deepEqual(
      [parse('<0>x: a'), parse('<191>x: a')].map((m) => [m.facility, m.severity]),
      [
        ['kern', 'emerg'],
        ['local7', 'debug'],
      ],
    );
  });
});

describe('RFC 5424', () => {
  test('logger --rfc5424: structured data, a pid', () => {
    assert.deepEqual(parse('<13>1 2026-12-03T11:14:52.747019+00:00 vm myapp 13223 - [timeQuality tzKnown="1" isSynced="0"] hello5424'), {
      format: 'rfc5424',
      facility: 'user',
      severity: 'notice',
      timestamp: '2026-12-03T11:14:52.747019+00:00',
      hostname: 'vm',
      tag: 'myapp',
      pid: '13223',
      structuredData: '[timeQuality tzKnown="1" isSynced="0"]',
      message: 'hello5424',
    });
  });

  test('nil values everywhere and no message at all', () => {
    assert.deepEqual(parse('<165>1 - - - - - -'), { format: 'rfc5424', facility: 'local4', severity: 'notice', message: '' });
  });

  test('a MSGID, two SD elements with escaped quote, backslash and bracket, and a BOM before the message', () => {
    const data = Buffer.concat([
      Buffer.from('<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 [a x="q\\"\\\\\\]"][b y="2"] '),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("'su root' failed"),
    ]);
    assert.deepEqual(parse(data), {
      format: 'rfc5424',
      facility: 'auth',
      severity: 'crit',
      timestamp: '2003-10-11T22:14:15.003Z',
      hostname: 'mymachine.example.com',
      tag: 'su',
      msgid: 'ID47',
      structuredData: '[a x="q\\"\\\\\\]"][b y="2"]',
      message: "'su root' failed",
    });
  });

  test('a non-numeric PROCID is kept as written', () => {
    assert.equal(parse('<13>1 - host app worker-3 - - hi').pid, 'worker-3');
  });

  test('a broken header (unclosed structured data) is read as RFC 3164 instead, and nothing is lost', () => {
    const parsed = parse('<13>1 - host app 1 - [unclosed x="1" message');
    assert.equal(parsed.format, 'rfc3164');
    assert.equal(parsed.message, '1 - host app 1 - [unclosed x="1" message');
  });
});

describe('what is not syslog', () => {
  for (const text of ['no priority at all', '<192>out of range', '<abc>letters', '<13', '']) {
    test(`${JSON.stringify(text)} is kept whole, unparsed`, () => {
      assert.deepEqual(parse(text), { format: 'unparsed', message: text });
    });
  }
});

test('err and worse are errors; warning and milder, or no severity, are not', () => {
  assert.deepEqual(
    ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug', undefined].map((severity) => isErrorSeverity(severity as never)),
    [true, true, true, true, false, false, false, false, false],
  );
});
