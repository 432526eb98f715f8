// spawnProcess on node:child_process (issue 20): the child gets exactly the given
// environment and file descriptors, in a session of its own; its end is one outcome; and
// what spawn refuses, at once or a moment later, is a spawn-failed outcome, never an
// exception, and never quotes an environment value (it may be a secret).
import assert from 'node:assert/strict';
import { closeSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadNativeAddon } from '../../src/native/addon.js';
import { spawnProcess, type SpawnRequest } from '../../src/process/spawn.js';

const addon = loadNativeAddon();
const PATH = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin';
const deadline = { timeout: 10_000 };

// Runs a request with fresh pipes for stdout, stderr and fd 3; returns the outcome and all
// that was written to each.
async function run(request: Omit<SpawnRequest, 'stdoutFd' | 'stderrFd' | 'statusFd'>) {
  const pipes = [addon.pipe(), addon.pipe(), addon.pipe()];
  const [[outRead, outWrite], [errRead, errWrite], [statusRead, statusWrite]] = pipes as [[number, number], [number, number], [number, number]];
  const child = spawnProcess({ ...request, stdoutFd: outWrite, stderrFd: errWrite, statusFd: statusWrite });
  for (const fd of [outWrite, errWrite, statusWrite]) closeSync(fd);
  const outcome = await child.outcome;
  // The child is gone and every write end closed: these reads end at EOF.
  const readToEnd = (fd: number): string => {
    const text = readFileSync(fd, 'utf8');
    closeSync(fd);
    return text;
  };
  const [stdout, stderr, status] = [readToEnd(outRead), readToEnd(errRead), readToEnd(statusRead)];
  return { pid: child.pid, outcome, stdout, stderr, status };
}

describe('spawnProcess', () => {
  test('the child gets only the given environment, the three fds, and a session of its own', deadline, async () => {
    const script = 'echo "[$A][$HOME] $$ $(cut -d" " -f5,6 /proc/$$/stat)"; echo to-stderr >&2; echo to-fd3 >&3; exit 3';
    const result = await run({ argv: ['sh', '-c', script], env: { PATH, A: 'x' } });
    assert.deepEqual(result.outcome, { kind: 'exited', code: 3 });
    const [values, pid, pgid, sid] = result.stdout.trim().split(' ');
    assert.equal(values, '[x][]');
    assert.equal(Number(pid), result.pid);
    assert.equal(pgid, pid, 'its own process group');
    assert.equal(sid, pid, 'its own session');
    assert.equal(result.stderr, 'to-stderr\n');
    assert.equal(result.status, 'to-fd3\n');
  });

  test('a child killed by a signal is signalled', deadline, async () => {
    const result = await run({ argv: ['sh', '-c', 'kill -TERM $$'], env: { PATH } });
    assert.deepEqual(result.outcome, { kind: 'signalled', signal: 'SIGTERM' });
  });

  test('a command not found (ENOENT, reported a moment later) has no pid and fails to spawn', deadline, async () => {
    const result = await run({ argv: ['corral-no-such-command'], env: { PATH } });
    assert.equal(result.pid, undefined);
    assert.deepEqual(result.outcome, {
      kind: 'spawn-failed',
      errno: 'ENOENT',
      message: "corral-no-such-command: command not found (ENOENT); check the command's spelling and PATH",
    });
  });

  test('a NUL byte in an environment value (refused at once) fails to spawn, without the value in the message', deadline, async () => {
    const result = await run({ argv: ['true'], env: { PATH, TOKEN: 'hunter2\0' } });
    assert.equal(result.pid, undefined);
    assert.deepEqual(result.outcome, {
      kind: 'spawn-failed',
      errno: 'ERR_INVALID_ARG_VALUE',
      message: "true: The property 'options.env['TOKEN']' must be a string without null bytes",
    });
  });

  test('a NUL byte in an argument fails to spawn', deadline, async () => {
    const result = await run({ argv: ['echo', 'a\0b'], env: { PATH } });
    assert.equal(result.pid, undefined);
    assert.equal(result.outcome.kind, 'spawn-failed');
    assert.equal(result.outcome.kind === 'spawn-failed' && result.outcome.errno, 'ERR_INVALID_ARG_VALUE');
  });

  test('arguments past what exec takes (E2BIG, refused at once) fail to spawn', deadline, async () => {
    const result = await run({ argv: ['true', 'x'.repeat(200_000)], env: { PATH } });
    assert.equal(result.pid, undefined);
    assert.deepEqual(result.outcome, { kind: 'spawn-failed', errno: 'E2BIG', message: 'true: spawn E2BIG' });
  });
});
