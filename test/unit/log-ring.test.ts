import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LogFollowers, RingReader } from '../../src/control/log-follower.js';
import { LogRing, RING_BYTES, RING_LINE_BYTES, RING_LINES } from '../../src/logging/log-ring.js';

function add(ring: LogRing, stream: 'stdout' | 'stderr', text: string, continued = false): void {
  // Inside a larger chunk, as the framer hands lines over.
  const chunk = Buffer.from(`<<${text}>>`);
  ring.add(stream, chunk, 2, chunk.length - 2, continued);
}

function texts(ring: LogRing): string[] {
  const out: string[] = [];
  for (let seq = ring.firstSeq; seq < ring.nextSeq; seq++) out.push(ring.line(seq)!.bytes.toString());
  return out;
}

test('log ring: keeps at most RING_LINES lines, the newest, in order', () => {
  const ring = new LogRing();
  for (let i = 0; i < RING_LINES + 250; i++) add(ring, 'stdout', `line ${i}`);
  const kept = texts(ring);
  assert.equal(kept.length, RING_LINES);
  assert.equal(kept[0], 'line 250');
  assert.equal(kept.at(-1), `line ${RING_LINES + 249}`);
});

test('log ring: keeps at most RING_BYTES of text, lines wrapping around the buffer intact', () => {
  const ring = new LogRing();
  const long = (i: number): string => `${i}:`.padEnd(7000, String.fromCharCode(97 + (i % 26)));
  for (let i = 0; i < 40; i++) add(ring, i % 3 === 0 ? 'stderr' : 'stdout', long(i));
  const kept = texts(ring);
  assert.ok(kept.join('').length <= RING_BYTES);
  assert.equal(kept.length, Math.floor(RING_BYTES / 7000));
  kept.forEach((text, i) => assert.equal(text, long(40 - kept.length + i)));
});

test('log ring: a line longer than RING_LINE_BYTES is kept as its start', () => {
  const ring = new LogRing();
  add(ring, 'stdout', 'x'.repeat(RING_LINE_BYTES * 2));
  assert.equal(ring.line(0)!.bytes.length, RING_LINE_BYTES);
});

test('log ring: tail of N lines of a stream; a reader counts the lines overwritten before it read them', () => {
  const ring = new LogRing();
  for (let i = 0; i < 10; i++) add(ring, i % 2 === 0 ? 'stdout' : 'stderr', `l${i}`);
  const start = ring.tailStart(2, ['stderr']);
  const tail = new RingReader(ring, ['stderr'], start).batch(Infinity);
  assert.equal(tail, '{"stream":"stderr","line":"l7"}\n{"stream":"stderr","line":"l9"}\n');

  const reader = new RingReader(ring, ['stdout'], ring.nextSeq);
  assert.equal(reader.batch(Infinity), '');
  for (let i = 0; i < RING_LINES + 10; i++) add(ring, i % 2 === 0 ? 'stdout' : 'stderr', `m${i}`);
  const [first, second] = reader.batch(200).split('\n');
  assert.equal(first, '{"stream":"stdout","missed":5}');
  assert.equal(second, '{"stream":"stdout","line":"m10"}');
});

test('log ring: a line that is not UTF-8 is sent as base64; a continued piece is marked', () => {
  const ring = new LogRing();
  ring.add('stdout', Buffer.from([0xff, 0x41]), 0, 2, false);
  add(ring, 'stdout', 'tail', true);
  assert.equal(new RingReader(ring, ['stdout'], 0).batch(Infinity), '{"stream":"stdout","raw":"/0E="}\n{"stream":"stdout","line":"tail","continued":true}\n');
});

test('log ring: end() wakes its followers once, keeps the first reason, and a follower gets what is left, then the reason, then the end of the connection', async (t) => {
  const ring = new LogRing();
  add(ring, 'stdout', 'before');
  const dir = mkdtempSync(join(tmpdir(), 'corral-ring-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'sock');
  const followers = new LogFollowers();
  const server = createServer((socket) =>
    followers.serve({ command: 'logs', service: 'web', lines: 10, follow: true, streams: ['stdout', 'stderr'] }, ring, socket),
  );
  await new Promise<void>((resolve) => server.listen(path, resolve));
  t.after(() => server.close());
  const client = connect(path);
  let received = '';
  client.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const closed = new Promise<void>((resolve) => client.on('end', resolve));
  await new Promise<void>((resolve) => client.on('connect', resolve));
  let wakes = 0;
  ring.subscribe(() => (wakes += 1));
  add(ring, 'stderr', 'last words');
  ring.end('web was removed by a reload');
  ring.end('a later reason');
  await closed;
  assert.equal(ring.ended, 'web was removed by a reload');
  assert.equal(wakes, 1);
  assert.deepEqual(received.trimEnd().split('\n'), [
    '{"ok":true,"command":"logs","service":"web"}',
    '{"stream":"stdout","line":"before"}',
    '{"stream":"stderr","line":"last words"}',
    '{"ended":"web was removed by a reload"}',
  ]);
});
