// corral's output formats, end to end with corral as PID 1: JSON lines for log shippers,
// RFC 3339 timestamps, colour only on a terminal, and a clear error for a bad setting.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { corralMain, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';

interface Record {
  time: string;
  source: 'service' | 'corral';
  service?: string;
  stream: 'stdout' | 'stderr';
  pid: number;
  level?: string;
  message: string;
  continued?: true;
  raw?: string;
}

// Every line corral wrote, parsed: a line that is not JSON fails the test.
function records(corral: CorralProcess, stream: 'stdout' | 'stderr'): Record[] {
  return corral.texts(stream).map((line) => {
    try {
      return JSON.parse(line) as Record;
    } catch {
      throw new Error(`not a JSON line on ${stream}: ${JSON.stringify(line)}`);
    }
  });
}

test('CORRAL_LOG_FORMAT=json: every line on both streams is one JSON object; bytes survive; events are told apart by source', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_FORMAT: 'json' },
    services: {
      // A valid line, one with invalid UTF-8, one with quotes and a tab, a stderr line,
      // a line cut by max_line and an unfinished last line.
      'app.yaml': [
        `command: ["perl", "-e", "$| = 1; print qq(plain line\\n); print qq(bad \\\\xff\\\\xfe bytes\\n); print qq(say \\"hi\\"\\tthere\\n); print STDERR qq(to stderr\\n); print 'z' x 300, qq(\\n); print 'unfinished'"]`,
        'restart: never',
        'log: {max_line: 256B}',
        '',
      ].join('\n'),
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/"message":"app exited with code 0/);
  corral.signal('SIGTERM');
  assert.equal((await corral.waitExit(10_000)).code, 0);

  const out = records(corral, 'stdout');
  const err = records(corral, 'stderr');
  for (const record of [...out, ...err]) assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const app = out.filter((record) => record.service === 'app');
  assert.ok(app.every((record) => record.source === 'service' && record.stream === 'stdout' && record.pid > 1));
  assert.deepEqual(
    app.map((record) => [record.message.slice(0, 20), record.continued ?? false]),
    [
      ['plain line', false],
      ['bad \ufffd\ufffd bytes', false],
      ['say "hi"\tthere', false],
      ['z'.repeat(20), false],
      ['z'.repeat(20), true],
      ['unfinished', false],
    ],
  );
  assert.deepEqual(Buffer.from(app[1]!.raw!, 'base64'), Buffer.from('bad \xff\xfe bytes', 'latin1'), 'the exact bytes are in raw');
  assert.equal(app[3]!.message.length + app[4]!.message.length, 300, 'the pieces join to the whole line');

  const stderrLine = err.find((record) => record.source === 'service');
  assert.deepEqual(stderrLine && { service: stderrLine.service, stream: stderrLine.stream, message: stderrLine.message }, {
    service: 'app',
    stream: 'stderr',
    message: 'to stderr',
  });
  const events = err.filter((record) => record.source === 'corral');
  assert.ok(events.length >= 3, "corral's own events are JSON too");
  assert.ok(events.every((record) => record.level === 'info' && record.pid === 1 && record.service === undefined));
  assert.ok(events.some((record) => /^stopped in /.test(record.message)));
});

test("CORRAL_LOG_TIMESTAMPS=1: every line, the services' and corral's, starts with an RFC 3339 time", async (t) => {
  if (skipUnlessPid1(t)) return;
  const before = new Date();
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_TIMESTAMPS: '1' },
    services: { 'tick.yaml': 'command: ["sh", "-c", "echo out; echo err >&2"]\nrestart: never\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/tick exited with code 0/);
  // Its lines may come after corral's when a reader lags: wait for both.
  await corral.waitForLine(/ tick +\| out$/);
  await corral.waitForLine(/ tick +\| err$/);
  const stamped = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (corral|tick) +[|] /;
  for (const line of corral.texts()) {
    const match = stamped.exec(line);
    assert.ok(match, `not stamped: ${JSON.stringify(line)}`);
    const time = new Date(match[1]!);
    assert.ok(time >= new Date(before.getTime() - 1000) && time <= new Date(Date.now() + 1000), `${match[1]} is now`);
  }
  assert.ok(corral.texts('stdout').some((line) => / tick +\| out$/.test(line)));
  assert.ok(corral.texts('stderr').some((line) => / tick +\| err$/.test(line)));
});

// Runs `corral -- sh -c "echo hello"` on a terminal made by script(1).
function onTerminal(env: NodeJS.ProcessEnv): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-tty-'));
  try {
    writeFileSync(join(dir, 'web.yaml'), 'command: ["echo", "from web"]\nrestart: never\n');
    const command = `${process.execPath} ${corralMain} --services ${dir} -- echo hello`;
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('colour on a terminal: labels are coloured; NO_COLOR turns it off; a pipe never gets colour', (t) => {
  if (spawnSync('script', ['--version']).status !== 0) {
    t.skip('script(1) (bsdutils) is not installed');
    return;
  }
  // ESC made visible, so the patterns need no control characters.
  const coloured = onTerminal({ NO_COLOR: '' }).replaceAll('\x1b', '<ESC>');
  assert.match(coloured, /<ESC>\[\d+mweb +\|<ESC>\[0m from web/);
  assert.match(coloured, /<ESC>\[1mcorral +\|<ESC>\[0m /);
  const plain = onTerminal({ NO_COLOR: '1' });
  assert.match(plain, /web +\| from web/);
  assert.ok(!plain.includes('\x1b'), 'no escape codes');
});

test('a misspelt CORRAL_LOG_FORMAT stops corral before anything starts, with the fix', async (t) => {
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_FORMAT: 'jsn' }, services: { 'a.yaml': 'command: ["echo", "started"]\n' } });
  t.after(() => corral.dispose());
  assert.equal((await corral.waitExit(10_000)).code, 100);
  assert.match(corral.tail(), /CORRAL_LOG_FORMAT="jsn" is not a log format \(did you mean "json"\?\); set it to text or json, or unset it/);
  assert.ok(!corral.texts().some((line) => /^a +\| started/.test(line)), 'nothing was started');
});
