// addon.trimMemory and addon.limitArenas (addon/src/memory.cc): a full V8 collection,
// then malloc_trim(0) with glibc, which gives back the pages a worker thread's malloc
// arena keeps after the thread ended; mallopt(M_ARENA_MAX). Both are false without glibc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { loadNativeAddon } from '../../src/native/addon.js';

const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;

test('trimMemory: a boolean, after a worker thread that allocated has ended', async () => {
  const worker = new Worker('const kept = []; for (let i = 0; i < 2000; i++) kept.push(Buffer.alloc(1024, i)); kept.length = 0;', { eval: true });
  await new Promise((resolve) => worker.once('exit', resolve));
  const trimmed = loadNativeAddon().trimMemory(false);
  assert.equal(typeof trimmed, 'boolean');
  if (glibc === undefined) assert.equal(trimmed, false);
});

test('trimMemory(true) collects the JavaScript garbage there is; trimMemory(false) does not', () => {
  const addon = loadNativeAddon();
  addon.trimMemory(true);
  const floor = getHeapStatistics().used_heap_size;
  // Some 8 MiB of objects, garbage once the function returns.
  (() => {
    const garbage: object[] = [];
    for (let i = 0; i < 200_000; i++) garbage.push({ i, text: `object ${i}` });
    return garbage.length;
  })();
  assert.ok(getHeapStatistics().used_heap_size > floor + 4 * 2 ** 20, 'the garbage is in the heap');
  addon.trimMemory(false);
  assert.ok(getHeapStatistics().used_heap_size > floor + 4 * 2 ** 20, 'still there without a collection');
  addon.trimMemory(true);
  assert.ok(getHeapStatistics().used_heap_size < floor + 2 ** 20, 'and collected by a trim that collects');
  assert.throws(() => addon.trimMemory(1 as unknown as boolean), TypeError);
});

test('limitArenas: glibc takes a count of 1 or more; below 1 or not a number is refused', () => {
  const addon = loadNativeAddon();
  assert.equal(addon.limitArenas(64), glibc !== undefined);
  assert.throws(() => addon.limitArenas(0), RangeError);
  assert.throws(() => addon.limitArenas('2' as unknown as number), TypeError);
});
