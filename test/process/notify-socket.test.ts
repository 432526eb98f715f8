// The sd_notify socket in the addon: real senders (systemd-notify, python) write to it,
// and readDatagrams must return their text and their pid without blocking. Its limits
// are tried just past the edge: a datagram is read into a 4096-byte buffer (systemd's own
// limit), bytes that are not UTF-8 cannot break a message, a flood is read 64 at a time.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { loadNativeAddon, NativeAddonError } from '../../src/native/addon.js';
import { notifyEvents, parseNotifyMessage } from '../../src/readiness/notify.js';
import { scratchDir } from '../helpers/scratch.js';

const addon = loadNativeAddon();
const deadlineMs = 10_000;
const MAX_DATAGRAM = 4096;

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

// Sends each payload, bytes as they are, as one datagram to `path`, from python3.
function sendBytes(path: string, payloads: Buffer[]): void {
  const script = 'import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor h in sys.argv[2:]: s.sendto(bytes.fromhex(h), sys.argv[1])';
  const result = spawnSync('python3', ['-c', script, path, ...payloads.map((payload) => payload.toString('hex'))], { encoding: 'utf8', timeout: deadlineMs });
  assert.equal(result.status, 0, `python3 sender failed: ${result.error?.message ?? result.stderr}`);
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
  const script =
    'import socket, os\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\n' +
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
    (error: unknown) => error instanceof NativeAddonError && error.code === 'ENAMETOOLONG' && /bind/.test(error.message),
  );
});

test('readDatagrams: a closed fd fails with EBADF', () => {
  const spare = addon.pipe();
  closeSync(spare[0]);
  closeSync(spare[1]);
  assert.throws(
    () => addon.readDatagrams(spare[0]),
    (error: unknown) => error instanceof NativeAddonError && error.code === 'EBADF',
  );
});

test('readDatagrams: a datagram of exactly 4096 bytes arrives whole; one byte more is cut to 4096', (t) => {
  const { path, fd } = openSocket(t);
  const exact = Buffer.from(`STATUS=${'s'.repeat(MAX_DATAGRAM - 'STATUS=\nREADY=1'.length)}\nREADY=1`);
  assert.equal(exact.length, MAX_DATAGRAM);
  const pastBy1 = Buffer.concat([Buffer.from('STOPPING=1\n'), exact.subarray(0, MAX_DATAGRAM - 'STOPPING=1\n'.length), Buffer.from('X')]);
  assert.equal(pastBy1.length, MAX_DATAGRAM + 1);
  sendBytes(path, [exact, pastBy1, Buffer.from('READY=1')]);
  const [whole, cut, next, ...rest] = addon.readDatagrams(fd).map((datagram) => datagram.text);
  assert.equal(whole, exact.toString(), 'the whole datagram');
  assert.ok(notifyEvents(parseNotifyMessage(whole)).ready, 'READY=1 at its very end counts');
  assert.equal(cut, pastBy1.subarray(0, MAX_DATAGRAM).toString(), 'the first 4096 bytes; the byte past them is gone');
  assert.equal(next, 'READY=1', 'the next datagram is untouched by the cut one');
  assert.deepEqual(rest, []);
});

test('readDatagrams: bytes that are not UTF-8 become U+FFFD and the fields around them still count', (t) => {
  const { path, fd } = openSocket(t);
  const invalid = Buffer.concat([
    Buffer.from('STATUS=a'),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('\nREADY=1\n'),
    Buffer.from([0x80, 0x00]),
    Buffer.from('=x'),
  ]);
  // A two-byte character split by the 4096-byte cut: its first byte is the last one kept.
  const split = Buffer.concat([Buffer.from('READY=1\nSTATUS='), Buffer.alloc(MAX_DATAGRAM - 'READY=1\nSTATUS='.length - 1, 'e'), Buffer.from('é')]);
  assert.equal(split.length, MAX_DATAGRAM + 1);
  sendBytes(path, [invalid, split]);
  const [first, second] = addon.readDatagrams(fd).map((datagram) => datagram.text);
  const fields = parseNotifyMessage(first!);
  assert.equal(fields.get('READY'), '1');
  assert.match(fields.get('STATUS')!, /^a\uFFFD+$/);
  const cutFields = parseNotifyMessage(second!);
  assert.equal(cutFields.get('READY'), '1');
  assert.ok(cutFields.get('STATUS')!.endsWith('e\uFFFD'), 'the half character is one U+FFFD');
});
