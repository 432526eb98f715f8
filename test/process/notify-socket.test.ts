// The sd_notify socket in the addon: real senders (systemd-notify, python) write to it,
// and readDatagrams must return their text and their pid without blocking.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { loadNativeAddon, NativeAddonError } from '../../src/native/addon.js';
import { scratchDir } from '../helpers/scratch.js';

const addon = loadNativeAddon();
const deadlineMs = 10_000;

// Sends each payload as one datagram to $NOTIFY_SOCKET; returns the sender's pid.
function sendWithPython(socketPath: string, payloads: string[]): number {
  const script = [
    'import socket, os, sys',
    's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
    'for payload in sys.argv[1:]: s.sendto(payload.encode(), os.environ["NOTIFY_SOCKET"])',
  ].join('\n');
  const result = spawnSync('python3', ['-c', script, ...payloads], {
    env: { ...process.env, NOTIFY_SOCKET: socketPath },
    encoding: 'utf8',
    timeout: deadlineMs,
  });
  assert.equal(result.status, 0, `python3 sender failed: ${result.error?.message ?? result.stderr}`);
  return result.pid;
}

function openSocket(t: TestContext): { path: string; fd: number } {
  const path = join(scratchDir(t), 'notify.sock');
  const fd = addon.notifySocket(path);
  t.after(() => closeSync(fd));
  return { path, fd };
}

test('notifySocket: a datagram arrives with its text and the sender pid', (t) => {
  const { path, fd } = openSocket(t);
  const pid = sendWithPython(path, ['READY=1\nSTATUS=ok']);
  assert.deepEqual(addon.readDatagrams(fd), [{ text: 'READY=1\nSTATUS=ok', pid }]);
  assert.deepEqual(addon.readDatagrams(fd), []);
});

test('notifySocket: nothing waiting gives an empty array rather than blocking', (t) => {
  const { fd } = openSocket(t);
  assert.deepEqual(addon.readDatagrams(fd), []);
});

test('notifySocket: systemd-notify --ready is understood', (t) => {
  const probe = spawnSync('systemd-notify', ['--help'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('systemd-notify is not installed');
    return;
  }
  const { path, fd } = openSocket(t);
  // --no-block: otherwise it also sends BARRIER=1 and waits up to 5 s for us to close the
  // fd it attaches. systemd-notify reports its parent's pid (root may set any pid).
  const result = spawnSync('sh', ['-c', 'systemd-notify --no-block --ready --status=warming'], {
    env: { ...process.env, NOTIFY_SOCKET: path },
    encoding: 'utf8',
    timeout: deadlineMs,
  });
  assert.equal(result.status, 0, result.stderr);
  const [datagram, ...rest] = addon.readDatagrams(fd);
  assert.deepEqual(rest, []);
  assert.deepEqual(datagram?.text.split('\n').sort(), ['READY=1', 'STATUS=warming']);
  assert.equal(datagram?.pid, result.pid);
});

test('readDatagrams: fds attached to a datagram are closed (systemd-notify BARRIER=1 returns)', async (t) => {
  const probe = spawnSync('systemd-notify', ['--help'], { stdio: 'ignore' });
  if (probe.error) {
    t.skip('systemd-notify is not installed');
    return;
  }
  const { path, fd } = openSocket(t);
  // Without --no-block, systemd-notify sends BARRIER=1 with a pipe end attached and waits
  // (5 s at most) until the receiver has closed it.
  const notifier = spawn('systemd-notify', ['--ready'], { env: { ...process.env, NOTIFY_SOCKET: path }, stdio: 'ignore' });
  t.after(() => notifier.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => notifier.on('exit', (code) => resolve(code)));
  const texts: string[] = [];
  const deadline = Date.now() + 3000;
  let code: number | null | undefined;
  while (code === undefined && Date.now() < deadline) {
    texts.push(...addon.readDatagrams(fd).map((datagram) => datagram.text));
    code = await Promise.race([exited, setTimeout(5, undefined)]);
  }
  assert.equal(code, 0, 'systemd-notify did not return within 3 s: the barrier fd was not closed');
  assert.deepEqual(texts, ['READY=1', 'BARRIER=1']);
});

test('notifySocket: a stale file at the path is replaced', (t) => {
  const path = join(scratchDir(t), 'notify.sock');
  writeFileSync(path, 'left over from an earlier run');
  const fd = addon.notifySocket(path);
  t.after(() => closeSync(fd));
  const pid = sendWithPython(path, ['READY=1']);
  assert.deepEqual(addon.readDatagrams(fd), [{ text: 'READY=1', pid }]);
});

test('readDatagrams: a datagram longer than 4096 bytes is returned cut, not dropped', (t) => {
  const { path, fd } = openSocket(t);
  sendWithPython(path, ['S'.repeat(5000), 'READY=1']);
  const texts = addon.readDatagrams(fd).map((datagram) => datagram.text);
  assert.deepEqual(texts, ['S'.repeat(4096), 'READY=1']);
});

test('readDatagrams: a sender of many datagrams is drained in order, at most 64 per call', async (t) => {
  const { path, fd } = openSocket(t);
  // The kernel queues only net.unix.max_dgram_qlen datagrams (10 by default) and then
  // blocks the sender, so read while the sender runs, as the supervisor must.
  const payloads = Array.from({ length: 200 }, (_, i) => `STATUS=${i}`);
  const script = 'import socket, os\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n' +
    `for i in range(${payloads.length}): s.sendto(b"STATUS=%d" % i, os.environ["NOTIFY_SOCKET"])`;
  const sender = spawn('python3', ['-c', script], { env: { ...process.env, NOTIFY_SOCKET: path }, stdio: 'ignore' });
  t.after(() => sender.kill('SIGKILL'));
  const texts: string[] = [];
  const deadline = Date.now() + deadlineMs;
  while (texts.length < payloads.length && Date.now() < deadline) {
    const batch = addon.readDatagrams(fd);
    assert.ok(batch.length <= 64, `one call returned ${batch.length} datagrams`);
    texts.push(...batch.map((datagram) => datagram.text));
    if (batch.length === 0) await setTimeout(2);
  }
  assert.deepEqual(texts, payloads);
});

test('notifySocket: a path longer than sun_path fails with ENAMETOOLONG', (t) => {
  const path = join(scratchDir(t), 'n'.repeat(120));
  assert.throws(
    () => addon.notifySocket(path),
    (error: unknown) => error instanceof NativeAddonError && error.errno === 'ENAMETOOLONG' && /bind/.test(error.message),
  );
});

test('readDatagrams: a closed fd fails with EBADF', () => {
  const spare = addon.pipe();
  closeSync(spare[0]);
  closeSync(spare[1]);
  assert.throws(
    () => addon.readDatagrams(spare[0]),
    (error: unknown) => error instanceof NativeAddonError && error.errno === 'EBADF',
  );
});
