// runCheck on node:child_process (issue 20): the output cap counts stdout and stderr
// together, the output is decoded once, what spawn refuses at once is a failed check
// rather than an exception, and a process that escaped the group cannot hold the result
// back past the grace. probes.test.ts has the rest (exit codes, signals, deadlines).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { CHECK_OUTPUT_LIMIT_BYTES, runCheck } from '../../src/process/run-check.js';

const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
const deadline = { timeout: 20_000 };
const half = CHECK_OUTPUT_LIMIT_BYTES / 2;

// A file for the pid of a process the check leaves behind, killed after the test.
function leftoverPidFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'corral-check-'));
  const file = join(dir, 'leftover.pid');
  t.after(() => {
    try {
      process.kill(Number(readFileSync(file, 'utf8')), 'SIGKILL');
    } catch {
      // Not written, or already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return file;
}

describe('runCheck output', () => {
  test('64 KiB exactly, half on stdout and half on stderr, is kept whole', deadline, async () => {
    const script = `yes | head -c ${half}; yes | head -c ${half} >&2; exit 0`;
    assert.deepEqual(await runCheck(['sh', '-c', script], { env, timeoutMs: 10_000 }), { ok: true, detail: 'exit code 0: y' });
  });

  test('one byte more, on stderr, passes the cap: both streams count together', deadline, async () => {
    const script = `yes | head -c ${half}; yes | head -c ${half + 1} >&2; exit 0`;
    assert.deepEqual(await runCheck(['sh', '-c', script], { env, timeoutMs: 10_000 }), { ok: true, detail: 'exit code 0: y (output cut at 64 KiB)' });
  });

  test('a check that goes on printing past the cap is stopped (its next write fails)', deadline, async () => {
    assert.deepEqual(await runCheck(['yes'], { env, timeoutMs: 10_000 }), { ok: false, detail: 'stopped after printing more than 64 KiB of output' });
  });

  test('a character split across two reads in the last line stays whole', deadline, async () => {
    // The second half is written only once corral has read the first: nothing it sent is
    // left unread (SIOCOUTQ on its end of the socket pair Node gives as a pipe; FIONREAD
    // were it a pipe), so the two halves come in two reads.
    const script = [
      'import fcntl, os, struct, termios, time',
      'def unread():',
      '    for request in (termios.TIOCOUTQ, termios.FIONREAD):',
      '        try: return struct.unpack("i", fcntl.ioctl(1, request, b"\\0\\0\\0\\0"))[0]',
      '        except OSError: pass',
      'os.write(1, b"caf\\xc3")',
      'while unread() > 0: time.sleep(0.001)',
      'os.write(1, b"\\xa9\\n")',
      'raise SystemExit(1)',
    ].join('\n');
    assert.deepEqual(await runCheck(['python3', '-c', script], { env, timeoutMs: 10_000 }), { ok: false, detail: 'exit code 1: café' });
  });
});

describe('runCheck start failures', () => {
  test('a NUL byte in an environment value fails the check; nothing is thrown and the value is not quoted', deadline, async () => {
    const result = await runCheck(['true'], { env: { ...env, TOKEN: 'hunter2\0' }, timeoutMs: 2000 });
    assert.deepEqual(result, { ok: false, detail: 'true: could not be run (ERR_INVALID_ARG_VALUE)' });
  });

  test('a NUL byte in an argument fails the check; nothing is thrown', deadline, async () => {
    const result = await runCheck(['echo', 'a\0b'], { env, timeoutMs: 2000 });
    assert.deepEqual(result, { ok: false, detail: 'echo: could not be run (ERR_INVALID_ARG_VALUE)' });
  });

  test('arguments past what exec takes (E2BIG, refused at once) fail the check', deadline, async () => {
    const result = await runCheck(['true', 'x'.repeat(200_000)], { env, timeoutMs: 2000 });
    assert.deepEqual(result, { ok: false, detail: 'true: could not be run (E2BIG)' });
  });

  test('a missing command and a missing working directory are told apart', deadline, async () => {
    assert.deepEqual(await runCheck(['corral-no-such-command'], { env, timeoutMs: 2000 }), {
      ok: false,
      detail: 'corral-no-such-command: command not found (ENOENT)',
    });
    assert.deepEqual(await runCheck(['true'], { env, timeoutMs: 2000, cwd: '/nonexistent/corral-dir' }), {
      ok: false,
      detail: 'working directory /nonexistent/corral-dir does not exist (ENOENT)',
    });
  });
});

describe('runCheck and a process that escaped its group', () => {
  test('a check that exited is judged by its exit code, though a setsid child still holds its output', deadline, async (t) => {
    const pidFile = leftoverPidFile(t);
    // Without the grace after the exit, this waits for the deadline: "timed out after 10s".
    const result = await runCheck(['sh', '-c', 'setsid sleep 30 & echo $! > "$0"; echo done', pidFile], { env, timeoutMs: 10_000 });
    assert.deepEqual(result, { ok: true, detail: 'exit code 0: done' });
  });

  test('a check past its deadline returns though a setsid child still holds its output', deadline, async (t) => {
    const pidFile = leftoverPidFile(t);
    const result = await runCheck(['sh', '-c', 'setsid sleep 30 & echo $! > "$0"; exec sleep 30', pidFile], { env, timeoutMs: 200 });
    assert.deepEqual(result, { ok: false, detail: 'timed out after 200ms' });
  });
});
