// The notify socket's limits with the real addon, each tried just past the edge: a
// datagram is read into a 4096-byte buffer (systemd's own limit), bytes that are not
// UTF-8 cannot break a message, and a flood is read 64 datagrams per call at most.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadNativeAddon } from '../../src/native/addon.js';
import { notifyEvents, parseNotifyMessage } from '../../src/readiness/notify.js';
import { scratchDir } from '../helpers/scratch.js';

const addon = loadNativeAddon();
const MAX_DATAGRAM = 4096;

// Sends each payload (hex) as one datagram to `path`, from python3, and waits for it.
function send(path: string, payloads: Buffer[]): void {
  const script = 'import socket, sys\ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor h in sys.argv[2:]: s.sendto(bytes.fromhex(h), sys.argv[1])';
  const result = spawnSync('python3', ['-c', script, path, ...payloads.map((payload) => payload.toString('hex'))], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 0, `python3 sender failed: ${result.error?.message ?? result.stderr}`);
}

function openSocket(t: TestContext): { path: string; fd: number } {
  const path = join(scratchDir(t), 'notify.sock');
  const fd = addon.notifySocket(path);
  t.after(() => closeSync(fd));
  return { path, fd };
}

test('readDatagrams: a datagram of exactly 4096 bytes arrives whole; one byte more is cut to 4096', (t) => {
  const { path, fd } = openSocket(t);
  const exact = Buffer.from(`STATUS=${'s'.repeat(MAX_DATAGRAM - 'STATUS=\nREADY=1'.length)}\nREADY=1`);
  assert.equal(exact.length, MAX_DATAGRAM);
  const pastBy1 = Buffer.concat([Buffer.from('STOPPING=1\n'), exact.subarray(0, MAX_DATAGRAM - 'STOPPING=1\n'.length), Buffer.from('X')]);
  assert.equal(pastBy1.length, MAX_DATAGRAM + 1);
  send(path, [exact, pastBy1, Buffer.from('READY=1')]);
  const [whole, cut, next, ...rest] = addon.readDatagrams(fd).map((datagram) => datagram.text);
  assert.equal(whole, exact.toString(), 'the whole datagram');
  assert.ok(notifyEvents(parseNotifyMessage(whole)).ready, 'READY=1 at its very end counts');
  assert.equal(cut, pastBy1.subarray(0, MAX_DATAGRAM).toString(), 'the first 4096 bytes; the byte past them is gone');
  assert.equal(next, 'READY=1', 'the next datagram is untouched by the cut one');
  assert.deepEqual(rest, []);
});

test('readDatagrams: bytes that are not UTF-8 become U+FFFD and the fields around them still count', (t) => {
  const { path, fd } = openSocket(t);
  const invalid = Buffer.concat([Buffer.from('STATUS=a'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\nREADY=1\n'), Buffer.from([0x80, 0x00]), Buffer.from('=x')]);
  // A two-byte character split by the 4096-byte cut: its first byte is the last one kept.
  const split = Buffer.concat([Buffer.from('READY=1\nSTATUS='), Buffer.alloc(MAX_DATAGRAM - 'READY=1\nSTATUS='.length - 1, 'e'), Buffer.from('é')]);
  assert.equal(split.length, MAX_DATAGRAM + 1);
  send(path, [invalid, split]);
  const [first, second] = addon.readDatagrams(fd).map((datagram) => datagram.text);
  const fields = parseNotifyMessage(first!);
  assert.equal(fields.get('READY'), '1');
  assert.match(fields.get('STATUS')!, /^a\uFFFD+$/);
  const cutFields = parseNotifyMessage(second!);
  assert.equal(cutFields.get('READY'), '1');
  assert.ok(cutFields.get('STATUS')!.endsWith('e\uFFFD'), 'the half character is one U+FFFD');
});
