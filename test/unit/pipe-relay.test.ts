// PipeRelay (src/logging/pipe-relay.ts) on a real pipe: while many relays wait for its
// sink it reads little, so that many services blocked on a slow log reader hold little of
// corral's memory each; with the sink free, or only a few waiting, it reads what the pipe
// holds at once. Every line comes through whole and in order either way.
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { test } from 'node:test';
import { createLineEncoder } from '../../src/logging/line-encoder.js';
import { encodedCapacity } from '../../src/logging/line-framer.js';
import { PLAIN_STYLE } from '../../src/logging/log-style.js';
import { OutputSink, type OutputSource } from '../../src/logging/output-sink.js';
import { LARGE_POOL_BUFFERS, PipeRelay, SMALL_READ_BYTES } from '../../src/logging/pipe-relay.js';
import { loadNativeAddon } from '../../src/native/addon.js';
import { pollFor } from '../helpers/corral-process.js';
import { SlowReader } from '../helpers/slow-reader.js';

const addon = loadNativeAddon();
const LINES = 600;
// 100 bytes each: 60,000 bytes, within a pipe's 64 KiB, written before the relay reads.
const line = (i: number): string => `${String(i).padStart(6, '0')} ${'x'.repeat(92)}\n`;
const expected = Array.from({ length: LINES }, (_, i) => `web | ${line(i)}`).join('');

// Another service's relay, which has a line waiting for its turn at each of its next 50
// turns: more than this relay takes for its lines.
const waitingSource = (name: string): OutputSource => {
  let left = 50;
  return {
    take: () => (left-- > 0 ? Buffer.from(`${name} | waiting\n`) : undefined),
    get hasMore() {
      return left > 0;
    },
  };
};

// busy: the sink's stream is full (a reader that takes 4 bytes at a time), and `waiting`
// other relays wait for their turn.
async function relayOnePipe(busy: boolean, waiting = 0): Promise<Buffer[]> {
  const [readFd, writeFd] = addon.pipe();
  writeSync(writeFd, Array.from({ length: LINES }, (_, i) => line(i)).join(''));
  closeSync(writeFd);
  const reader = new SlowReader(4);
  const sink = new OutputSink('stdout', reader);
  if (busy) sink.write('corral | busy\n');
  for (let i = 0; i < waiting; i++) sink.enqueue(waitingSource(`other${i}`));
  assert.equal(sink.isBusy, busy);
  assert.equal(sink.waiting, waiting);
  const encoder = createLineEncoder(PLAIN_STYLE, { service: 'web', label: 'web', stream: 'stdout', pid: 1 }, false);
  const relay = new PipeRelay(readFd, { encoder, maxLine: 16 * 1024, sink });
  let flushed = false;
  void relay.flushed.then(() => (flushed = true));
  await pollFor('the relay to relay every line', 10_000, async () => {
    await reader.release();
    return flushed ? true : undefined;
  });
  await reader.release();
  const chunks = reader.chunks().filter((chunk) => chunk.toString().startsWith('web | '));
  // Compared as a flag: a failure would print some 60 KB of lines.
  assert.ok(chunks.map((chunk) => chunk.toString()).join('') === expected, 'every line whole and in order');
  return chunks;
}

test('with as many relays waiting as the large pool has buffers, a relay reads a small read at a time and holds no more', async () => {
  const chunks = await relayOnePipe(true, LARGE_POOL_BUFFERS);
  assert.ok(chunks.length >= Math.ceil((LINES * 100) / SMALL_READ_BYTES), `${chunks.length} writes`);
  for (const chunk of chunks) assert.ok(chunk.length <= encodedCapacity(SMALL_READ_BYTES), `a write of ${chunk.length} bytes`);
});

test('with its sink free, a relay reads what the pipe holds at once', async () => {
  const chunks = await relayOnePipe(false);
  assert.ok(chunks[0]!.length > encodedCapacity(SMALL_READ_BYTES), `the first write has ${chunks[0]!.length} bytes`);
});

test('with its sink busy but fewer relays waiting, a relay still reads what the pipe holds at once', async () => {
  const chunks = await relayOnePipe(true, LARGE_POOL_BUFFERS - 2);
  assert.ok(chunks[0]!.length > encodedCapacity(SMALL_READ_BYTES), `the first write has ${chunks[0]!.length} bytes`);
});

test('two batches held for a busy sink (the last, an unfinished line cut off by drain): taken oldest first, one a turn; flushed after the last', async () => {
  const [readFd, writeFd] = addon.pipe();
  // The write end stays open: the service's grandchild holds it, and drain() cuts it off.
  writeSync(writeFd, 'one\ntwo\nunfinished');
  const reader = new SlowReader(4);
  const sink = new OutputSink('stdout', reader);
  sink.write('corral | busy\n');
  const encoder = createLineEncoder(PLAIN_STYLE, { service: 'web', label: 'web', stream: 'stdout', pid: 1 }, false);
  const relay = new PipeRelay(readFd, { encoder, maxLine: 16 * 1024, sink });
  let flushed = false;
  void relay.flushed.then(() => (flushed = true));
  await pollFor('the relay to hold its first lines', 10_000, () => (relay.hasMore ? true : undefined));
  await relay.drain(20, true);
  assert.equal(flushed, false, 'not flushed while its lines wait for their turn');
  assert.equal(sink.waiting, 1, 'the relay waits once, with both batches');
  await pollFor('every line to be written', 10_000, async () => {
    await reader.release();
    return flushed ? true : undefined;
  });
  closeSync(writeFd);
  const writes = reader.chunks().map((chunk) => chunk.toString());
  assert.deepEqual(writes, ['corral | busy\n', 'web | one\nweb | two\n', 'web | unfinished\n'], 'one write per batch, oldest first');
});
