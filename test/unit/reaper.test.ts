// The reaper driver: the orphans a sweep reaped are counted, and a syscall that failed in
// the addon's reaper is a warning naming it, once per kind (it recurs every sweep); while
// the calls find orphans it reaps in batches, deaf to SIGCHLD. The addon's reaper returns
// its orphans as pid, code, signal triples, and refuses to run on a worker thread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../src/shared/logger.js';
import { defaultAddonPath, loadNativeAddon, type NativeAddon, NativeSyscallError, reapedOrphans, type ReapResult } from '../../src/native/addon.js';
import { Reaper, type ReaperTimers } from '../../src/native/reaper.js';

function fakeLogger(debug = true): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level}: ${message}`);
  return { logger: { warn: log('warn'), debug: log('debug'), isDebugEnabled: () => debug } as unknown as Logger, lines };
}

const nothing = (): ReapResult => ({ reaped: new Int32Array(0), retry: false });

function addonReturning(results: ReapResult[], onCall = (): void => undefined): NativeAddon {
  return {
    reapOrphans: () => {
      onCall();
      return results.shift() ?? nothing();
    },
  } as unknown as NativeAddon;
}

// Waits a test fires by hand, in the order they were asked for.
function manualTimers(): { timers: ReaperTimers; delays: () => number[]; fire: () => void } {
  const waits: { fn: () => void; ms: number }[] = [];
  return {
    timers: { after: (fn, ms) => waits.push({ fn, ms }), sweepAfter: () => () => undefined, now: () => 0 },
    delays: () => waits.map((wait) => wait.ms),
    fire: () => waits.shift()!.fn(),
  };
}

const emfile = (path: string) => new NativeSyscallError(`EMFILE: too many open files, open(${path})`, 'EMFILE', -24, 'open');

test('a failure the addon reports is warned about once per syscall and code, then logged at debug', () => {
  const { logger, lines } = fakeLogger();
  const reaper = new Reaper(
    addonReturning([
      { reaped: Int32Array.of(7, 0, -1), retry: false, failure: emfile('/proc/8/stat') },
      { reaped: new Int32Array(0), retry: false, failure: emfile('/proc/9/stat') },
      { reaped: new Int32Array(0), retry: false, failure: new NativeSyscallError('EACCES: permission denied, opendir(/proc)', 'EACCES', -13, 'opendir') },
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
  const { logger, lines } = fakeLogger();
  const reaper = new Reaper(addonReturning([{ reaped: Int32Array.of(5, -1, 9), retry: false }]), logger);
  reaper.reapNow();
  assert.deepEqual(lines, ['debug: reaped orphan pid 5, killed by SIGKILL']);
});

test('a debug line for each orphan of a batch; none built when debug is off', () => {
  const batch = (): ReapResult => ({ reaped: Int32Array.of(5, -1, 9, 6, 3, -1, 8, 0, -1), retry: false });
  const debug = fakeLogger();
  new Reaper(addonReturning([batch()]), debug.logger).reapNow();
  assert.deepEqual(debug.lines, [
    'debug: reaped orphan pid 5, killed by SIGKILL',
    'debug: reaped orphan pid 6, exit code 3',
    'debug: reaped orphan pid 8, exit code 0',
  ]);
  const quiet = fakeLogger(false);
  const reaper = new Reaper(addonReturning([batch()]), quiet.logger);
  reaper.reapNow();
  assert.equal(reaper.reapedCount, 3);
  assert.deepEqual(quiet.lines, []);
});

test('reapedOrphans reads pid, code, signal triples; -1 is none', () => {
  assert.deepEqual(reapedOrphans(Int32Array.of(5, -1, 9, 6, 3, -1, 8, 0, -1)), [
    { pid: 5, code: null, signal: 9 },
    { pid: 6, code: 3, signal: null },
    { pid: 8, code: 0, signal: null },
  ]);
  assert.deepEqual(reapedOrphans(new Int32Array(0)), []);
});

test('while calls find orphans the reaper does not listen to SIGCHLD and calls every 10 ms; once one finds none it listens, and calls once more', () => {
  const { logger } = fakeLogger();
  const { timers, delays, fire } = manualTimers();
  const orphan = (): ReapResult => ({ reaped: Int32Array.of(9, 0, -1), retry: false });
  const before = process.listenerCount('SIGCHLD');
  const listening: number[] = []; // SIGCHLD listeners at each call, beyond those before
  const reaper = new Reaper(
    addonReturning([orphan(), orphan(), nothing(), nothing(), nothing()], () => listening.push(process.listenerCount('SIGCHLD') - before)),
    logger,
    timers,
  );
  reaper.start();
  assert.deepEqual(delays(), [0]);
  fire(); // finds an orphan: stops listening, calls again in 10 ms
  assert.deepEqual(delays(), [10]);
  process.emit('SIGCHLD');
  assert.deepEqual(delays(), [10], 'a SIGCHLD meanwhile asks for no call');
  fire(); // finds another
  assert.deepEqual(delays(), [10]);
  fire(); // finds none: listens again, and calls once more at once
  assert.deepEqual(delays(), [0]);
  fire(); // finds none
  assert.deepEqual(delays(), []);
  process.emit('SIGCHLD');
  assert.deepEqual(delays(), [0], 'a SIGCHLD asks for a call at once');
  fire();
  assert.deepEqual(listening, [1, 0, 0, 1, 1]);
  assert.equal(reaper.reapedCount, 2);
  assert.equal(process.listenerCount('SIGCHLD') - before, 1);
});

test('a call that must be retried is retried at once, then every 50 ms; it does not stop the listening', () => {
  const { logger } = fakeLogger();
  const { timers, delays, fire } = manualTimers();
  const retry = (): ReapResult => ({ reaped: new Int32Array(0), retry: true });
  const before = process.listenerCount('SIGCHLD');
  const reaper = new Reaper(addonReturning([retry(), retry(), retry()]), logger, timers);
  reaper.start();
  fire();
  assert.deepEqual(delays(), [0]);
  fire();
  assert.deepEqual(delays(), [50]);
  fire();
  assert.deepEqual(delays(), [50]);
  fire();
  assert.deepEqual(delays(), []);
  assert.equal(process.listenerCount('SIGCHLD') - before, 1);
});

test('reapOrphans on the main thread returns a result: nothing reaped, as this process has no children', () => {
  const { reaped, retry, failure } = loadNativeAddon().reapOrphans();
  assert.ok(reaped instanceof Int32Array);
  assert.equal(reaped.length, 0);
  assert.equal(retry, false);
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

test('the safety sweep: every 30 s while no child exits, every second while they do and for 10 s after', () => {
  const { logger } = fakeLogger();
  let now = 0;
  const sweeps: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const calls: number[] = [];
  const timers: ReaperTimers = {
    after: (fn) => {
      calls.push(now);
      fn();
    },
    sweepAfter: (fn, ms) => {
      const sweep = { fn, ms, cancelled: false };
      sweeps.push(sweep);
      return () => (sweep.cancelled = true);
    },
    now: () => now,
  };
  const armed = (): number[] => sweeps.filter((sweep) => !sweep.cancelled).map((sweep) => sweep.ms);
  const fireSweep = (at: number): void => {
    now = at;
    const sweep = sweeps.find((candidate) => !candidate.cancelled)!;
    sweep.cancelled = true;
    sweep.fn();
  };
  const before = process.listenerCount('SIGCHLD');
  const reaper = new Reaper(addonReturning([]), logger, timers);
  reaper.start();
  assert.deepEqual(armed(), [30_000], 'no child has exited: twice a minute');
  fireSweep(30_000);
  assert.deepEqual(armed(), [30_000]);
  now = 31_000;
  process.emit('SIGCHLD');
  assert.deepEqual(armed(), [1_000], 'a child exited: the sweep comes within a second');
  fireSweep(32_000);
  assert.deepEqual(armed(), [1_000]);
  fireSweep(40_500);
  assert.deepEqual(armed(), [1_000], 'still within 10 s of the exit');
  fireSweep(41_500);
  assert.deepEqual(armed(), [30_000], 'quiet for 10 s: back to twice a minute');
  assert.deepEqual(calls, [0, 30_000, 31_000, 32_000, 40_500, 41_500], 'each sweep, and the SIGCHLD, called the addon');
  assert.equal(process.listenerCount('SIGCHLD') - before, 1);
});
