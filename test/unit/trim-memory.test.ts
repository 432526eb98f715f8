// addon.trimMemory (addon/src/memory.cc): malloc_trim(0) with glibc, which gives back the
// pages a worker thread's malloc arena keeps after the thread ended; false without glibc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { loadNativeAddon } from '../../src/native/addon.js';

test('trimMemory: a boolean, after a worker thread that allocated has ended', async () => {
  const worker = new Worker('const kept = []; for (let i = 0; i < 2000; i++) kept.push(Buffer.alloc(1024, i)); kept.length = 0;', { eval: true });
  await new Promise((resolve) => worker.once('exit', resolve));
  const trimmed = loadNativeAddon().trimMemory();
  assert.equal(typeof trimmed, 'boolean');
  const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  if (glibc === undefined) assert.equal(trimmed, false);
});
