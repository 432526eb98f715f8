// launch() never throws and never leaks: what cannot be started is a run that failed
// (issue 16, item 8: the pipes made before a failing one are closed; issue 15: a fault
// that spawn refuses at once, as a NUL byte, fails the run, not corral).
import assert from 'node:assert/strict';
import { fstatSync } from 'node:fs';
import { test } from 'node:test';
import { loadNativeAddon, NativeSyscallError } from '../../src/native/addon.js';
import { launch } from '../../src/supervisor/launch.js';
import type { RunnerContext } from '../../src/supervisor/runner-context.js';
import { serviceConfig } from '../helpers/service-config.js';

const addon = loadNativeAddon();

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function contextWith(pipe: () => [number, number]): RunnerContext {
  return { addon: { ...addon, pipe }, shimPath: '/nonexistent/svexec', env: {}, defaultNofile: { soft: 1024, hard: 1024 } } as unknown as RunnerContext;
}

test('item 8: when the second pipe fails (EMFILE), the first one is closed and the run fails with the errno', async () => {
  const made: number[] = [];
  let calls = 0;
  const ctx = contextWith(() => {
    calls += 1;
    if (calls === 2) throw new NativeSyscallError('EMFILE: too many open files, pipe2', 'EMFILE', -24, 'pipe2');
    const pair = addon.pipe();
    made.push(...pair);
    return pair;
  });
  const run = launch(serviceConfig('web'), ctx, { env: {}, dropQueues: {}, lineCounts: { stdout: { lines: 0 }, stderr: { lines: 0 } } });
  assert.equal(run.pid, undefined);
  const outcome = await run.exited;
  assert.equal(outcome.kind, 'spawn-failed');
  assert.equal(outcome.kind === 'spawn-failed' && outcome.errno, 'EMFILE');
  assert.equal(made.length, 2);
  for (const fd of made) assert.equal(isOpen(fd), false, `fd ${fd} was left open`);
});

test('a NUL byte in an argument fails the run, with every pipe closed, instead of throwing', async () => {
  const made: number[] = [];
  const ctx = contextWith(() => {
    const pair = addon.pipe();
    made.push(...pair);
    return pair;
  });
  const config = serviceConfig('web', { argv: ['/bin/echo', 'a\0b'] });
  const run = launch(config, ctx, { env: {}, dropQueues: {}, lineCounts: { stdout: { lines: 0 }, stderr: { lines: 0 } } });
  const outcome = await run.exited;
  assert.equal(outcome.kind, 'spawn-failed');
  assert.equal(made.length, 6);
  for (const fd of made) assert.equal(isOpen(fd), false, `fd ${fd} was left open`);
});
