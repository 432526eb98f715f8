// V8's optimizing compiler waits while corral starts (src/native/optimizer-gate.ts): it
// comes back on once start-up is over, or at once when corral is busy relaying. The
// memory it saves is benchmarked (bench/cost-idle.ts); this checks when it comes back,
// from corral's debug log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCorral } from '../helpers/corral-process.js';

const compilerOn = /corral +\| debug: optimizing compiler on: (.*), \d+ ms after start$/;
const sleeper = (word: string): string => `command: "echo ${word}; exec sleep 1000"\n`;

test('optimizing compiler: back on once the services have settled after start, once', async (t) => {
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_LEVEL: 'debug' }, services: { 'a.yaml': sleeper('a up'), 'b.yaml': sleeper('b up') } });
  t.after(() => corral.dispose());
  const line = await corral.waitForLine(compilerOn);
  assert.equal(compilerOn.exec(line)![1], 'start-up is over');
  const texts = corral.texts();
  const on = texts.indexOf(line);
  for (const name of ['a', 'b']) {
    const running = texts.findIndex((text) => new RegExp(`${name}: starting -> running`).test(text));
    assert.ok(running >= 0 && running < on, `${name} was running before`);
  }
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  assert.equal(corral.texts().filter((text) => compilerOn.test(text)).length, 1);
});

test('optimizing compiler: back on at once when a service writes a MiB, before start-up is over', async (t) => {
  // 60,000 lines of 41 bytes: 2.4 MB, relayed to corral's stdout.
  const flood = 'command: "yes 0123456789012345678901234567890123456789 | head -n 60000; exec sleep 1000"\n';
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_LEVEL: 'debug' }, services: { 'flood.yaml': flood } });
  t.after(() => corral.dispose());
  const line = await corral.waitForLine(compilerOn);
  assert.equal(compilerOn.exec(line)![1], '1 MiB written to stdout');
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  assert.equal(corral.texts().filter((text) => compilerOn.test(text)).length, 1);
});

test('optimizing compiler: back on when a reload begins, before its worker thread starts', async (t) => {
  // A service that fails every 100 ms keeps start-up from being over (no second without a
  // change), so only the reload can turn the compiler on here.
  const flapping = 'command: "exit 3"\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\n';
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_LEVEL: 'debug' }, services: { 'flap.yaml': flapping } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/flap: running -> (exited|backoff)/);
  corral.signal('SIGHUP');
  const line = await corral.waitForLine(compilerOn);
  assert.equal(compilerOn.exec(line)![1], 'a reload began');
  await corral.waitForLine(/corral +\| reload/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
