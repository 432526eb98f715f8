// V8's optimizing compiler waits while corral starts (src/native/optimizer-gate.ts): it
// comes back on once start-up is over, or when a reload begins, not for a burst of output. The memory it saves is benchmarked (bench/cost-idle.ts); this checks
// when it comes back, from corral's debug log.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startCorral, type CorralProcess } from '../helpers/corral-process.js';

const compilerOn = /corral +\| debug: optimizing compiler on: (.*), \d+ ms after start$/;
const sleeper = (word: string): string => `command: "echo ${word}; exec sleep 1000"\n`;

async function corralWith(t: TestContext, services: Record<string, string>): Promise<CorralProcess> {
  const corral = await startCorral({ pid1: false, env: { CORRAL_LOG_LEVEL: 'debug' }, services });
  t.after(() => corral.dispose());
  return corral;
}

// Why the compiler came back on, from its one line.
async function compilerOnBecause(corral: CorralProcess): Promise<{ why: string; line: string }> {
  const line = await corral.waitForLine(compilerOn);
  return { why: compilerOn.exec(line)![1]!, line };
}

async function stopped(corral: CorralProcess): Promise<void> {
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  assert.equal(corral.texts().filter((text) => compilerOn.test(text)).length, 1, 'the compiler came back on once');
}

test('optimizing compiler: back on once the services have settled after start', async (t) => {
  const corral = await corralWith(t, { 'a.yaml': sleeper('a up'), 'b.yaml': sleeper('b up') });
  const { why, line } = await compilerOnBecause(corral);
  assert.equal(why, 'start-up is over');
  const texts = corral.texts();
  for (const name of ['a', 'b']) {
    const running = texts.findIndex((text) => new RegExp(`${name}: starting -> running`).test(text));
    assert.ok(running >= 0 && running < texts.indexOf(line), `${name} was running before`);
  }
  await stopped(corral);
});

test('optimizing compiler: not back on for a burst of output during start-up; on once start-up is over', async (t) => {
  // 60,000 lines of 41 bytes, 2.4 MB relayed to corral's stdout: the compiler comes back
  // on (once) only because nothing changed for SETTLE_MS, not for the output.
  const corral = await corralWith(t, {
    'flood.yaml': 'command: "yes 0123456789012345678901234567890123456789 | head -n 60000; echo flood done; exec sleep 1000"\n',
  });
  await corral.waitForLine(/flood +\| flood done/);
  assert.equal((await compilerOnBecause(corral)).why, 'start-up is over');
  await stopped(corral);
});

test('optimizing compiler: back on when a reload begins, before its worker thread starts', async (t) => {
  // A service that fails every 100 ms keeps start-up from being over (no second without a
  // change), so only the reload can turn the compiler on here.
  const corral = await corralWith(t, { 'flap.yaml': 'command: "exit 3"\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\n' });
  await corral.waitForLine(/flap: running -> (exited|backoff)/);
  corral.signal('SIGHUP');
  assert.equal((await compilerOnBecause(corral)).why, 'a reload began');
  await corral.waitForLine(/corral +\| reload/);
  await stopped(corral);
});
