// CORRAL_SYSLOG (issue 18): corral as PID 1 listens on /dev/log (in a /dev of the test's
// own) and relays syslog messages as lines of the program that sent them: logger, and a
// C program that calls glibc's syslog(3); err and worse on stderr; JSON with the syslog
// fields; a datagram that is not syslog kept whole; the socket writable by all and
// removed at exit, and a file that is not a socket never replaced.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cFixture } from '../helpers/fixtures.js';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';

const oneshot = (command: string): string => `command: ${JSON.stringify(command)}\ntype: oneshot\n`;

test('logger -t myapp hello and syslog(3) each come out as one line of their program; err goes to stderr', async (t) => {
  if (skipUnlessPid1(t)) return;
  const fixture = cFixture('syslog-calls');
  const corral = await startCorral({
    pid1: true,
    privateDev: true,
    env: { CORRAL_SYSLOG: '/dev/log' },
    services: { 'app.yaml': oneshot(`logger -t myapp hello; logger -p user.err -t myapp 'it broke'; ${fixture}; echo sent`) },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^app +\| sent$/, 10_000);
  const info = await corral.waitForLine(/^cfixture +\| info from syslog\(3\), pid \d+$/, 10_000);
  await corral.waitForLine(/^cfixture +\| an error from syslog\(3\)$/, 10_000);
  const count = (pattern: RegExp, stream: 'stdout' | 'stderr'): number => corral.texts(stream).filter((text) => pattern.test(text)).length;
  assert.equal(count(/^myapp +\| hello$/, 'stdout'), 1, corral.tail());
  assert.equal(count(/^myapp +\| it broke$/, 'stderr'), 1, corral.tail());
  assert.equal(count(/^cfixture +\| info from syslog\(3\)/, 'stdout'), 1, corral.tail());
  assert.equal(count(/^cfixture +\| an error from syslog\(3\)$/, 'stderr'), 1, corral.tail());
  t.diagnostic(info);
});

test('JSON: facility, severity, tag and pid as fields; the socket is 0666 for every user', async (t) => {
  if (skipUnlessPid1(t)) return;
  const fixture = cFixture('syslog-calls');
  const corral = await startCorral({
    pid1: true,
    privateDev: true,
    env: { CORRAL_SYSLOG: '/dev/log', CORRAL_LOG_FORMAT: 'json' },
    services: {
      'app.yaml': oneshot(`stat -c 'mode %a %F' /dev/log; setpriv --reuid=65534 --regid=65534 --clear-groups logger -t nobody-can 'as nobody'; ${fixture}`),
    },
  });
  t.after(() => corral.dispose());
  const record = JSON.parse(await corral.waitForLine(/"message":"info from syslog\(3\)/, 10_000)) as Record<string, unknown>;
  const pid = Number(/pid (\d+)$/.exec(String(record.message))![1]);
  assert.deepEqual(
    { ...record, time: undefined, timestamp: undefined },
    {
      time: undefined,
      source: 'syslog',
      service: 'cfixture',
      stream: 'stdout',
      pid,
      message: `info from syslog(3), pid ${pid}`,
      facility: 'daemon',
      severity: 'info',
      tag: 'cfixture',
      timestamp: undefined,
    },
  );
  const error = JSON.parse(await corral.waitForLine(/"message":"an error from syslog\(3\)"/, 10_000)) as Record<string, unknown>;
  assert.equal(error.severity, 'err');
  assert.equal(error.stream, 'stderr');
  assert.match(await corral.waitForLine(/"message":"mode /, 10_000), /"message":"mode 666 socket"/);
  assert.match(await corral.waitForLine(/"message":"as nobody"/, 10_000), /"tag":"nobody-can"/);
});

test('a datagram that is not syslog is relayed whole; the socket is removed at exit', async (t) => {
  if (skipUnlessPid1(t)) return;
  const socket = join(scratchDir(t), 'log.sock');
  const send = `import socket; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b'no header at all, just words', '${socket}')`;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_SYSLOG: socket },
    services: { 'app.yaml': `command: ["python3", "-c", ${JSON.stringify(send)}]\ntype: oneshot\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^syslog +\| no header at all, just words$/, 10_000);
  assert.ok(statSync(socket).isSocket());
  assert.equal(statSync(socket).mode & 0o777, 0o666);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
  assert.equal(existsSync(socket), false, 'corral removed its socket');
});

test('a file at CORRAL_SYSLOG that is not a socket: exit 100, nothing started, the file untouched', async (t) => {
  if (skipUnlessPid1(t)) return;
  const path = join(scratchDir(t), 'log');
  writeFileSync(path, 'precious\n');
  const corral = await startCorral({ pid1: true, env: { CORRAL_SYSLOG: path }, services: { 'app.yaml': oneshot('echo started') } });
  t.after(() => corral.dispose());
  assert.deepEqual(await corral.waitExit(10_000), { code: 100, signal: null });
  assert.ok(
    corral.texts('stderr').some((text) => text.includes(`CORRAL_SYSLOG: ${path} exists and is not a socket (a regular file); corral will not replace it`)),
    corral.tail(),
  );
  assert.ok(!corral.texts().some((text) => /^app +\| started$|app started \(pid/.test(text)), corral.tail());
  assert.equal(readFileSync(path, 'utf8'), 'precious\n');
});
