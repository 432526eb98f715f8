// The reaper driver: the orphans a sweep reaped are counted, and a syscall that failed in
// the addon's reaper is a warning naming it, once per kind (it recurs every sweep). The
// addon's reaper refuses to run on a worker thread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { defaultAddonPath, loadNativeAddon, type NativeAddon, NativeSyscallError, type ReapResult } from '../../src/native/addon.js';
import { Reaper } from '../../src/native/reaper.js';
import { captureLogger } from '../helpers/capture-logger.js';

function addonReturning(results: ReapResult[]): NativeAddon {
  return { reapOrphans: () => results.shift() ?? { reaped: [], retry: false } } as unknown as NativeAddon;
}

const emfile = (path: string) => new NativeSyscallError(`EMFILE: too many open files, open(${path})`, 'EMFILE', -24, 'open');

test('a failure the addon reports is warned about once per syscall and code, then logged at debug', () => {
  const { logger, lines } = captureLogger();
  const reaper = new Reaper(
    addonReturning([
      { reaped: [{ pid: 7, code: 0, signal: null }], retry: false, failure: emfile('/proc/8/stat') },
      { reaped: [], retry: false, failure: emfile('/proc/9/stat') },
      { reaped: [], retry: false, failure: new NativeSyscallError('EACCES: permission denied, opendir(/proc)', 'EACCES', -13, 'opendir') },
    ]),
    logger,
  );
  reaper.reapNow();
  reaper.reapNow();
  reaper.reapNow();
  assert.equal(reaper.reapedCount, 1);
  assert.deepEqual(lines, [
    'debug: reaped orphan pid 7, exit code 0',
    'warn: reaping orphans: EMFILE: too many open files, open(/proc/8/stat); zombies may be left until a later sweep succeeds',
    'debug: reaping orphans: EMFILE: too many open files, open(/proc/9/stat); zombies may be left until a later sweep succeeds',
    'warn: reaping orphans: EACCES: permission denied, opendir(/proc); zombies may be left until a later sweep succeeds',
  ]);
});

test('a sweep without a failure logs only what it reaped', () => {
  const { logger, lines } = captureLogger();
  const reaper = new Reaper(addonReturning([{ reaped: [{ pid: 5, code: null, signal: 9 }], retry: false }]), logger);
  reaper.reapNow();
  assert.deepEqual(lines, ['debug: reaped orphan pid 5, killed by SIGKILL']);
});

test('reapOrphans on the main thread returns a result', () => {
  const { reaped, retry, failure } = loadNativeAddon().reapOrphans();
  assert.ok(Array.isArray(reaped));
  assert.equal(typeof retry, 'boolean');
  assert.equal(failure, undefined);
});

test("reapOrphans on a worker thread throws, so it cannot reap the main loop's children", async () => {
  const script = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData);
    try {
      addon.reapOrphans();
      parentPort.postMessage({ threw: false });
    } catch (error) {
      parentPort.postMessage({ threw: true, name: error.name, code: error.code, message: error.message });
    }
  `;
  const worker = new Worker(script, { eval: true, workerData: defaultAddonPath });
  const reply = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.deepEqual(reply, {
    threw: true,
    name: 'TypeError',
    code: 'ERR_WORKER_UNSUPPORTED_OPERATION',
    message: "reapOrphans() is not supported in workers: only the main thread's loop knows which exited children libuv still waits for",
  });
});
