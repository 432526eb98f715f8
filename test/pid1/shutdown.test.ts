// SIGTERM to corral as PID 1: services stop in reverse dependency order within the budget,
// stubborn ones are killed, and corral exits 0.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { scratchDir } from '../helpers/scratch.js';
import { slowToStop } from '../helpers/service-files.js';

test('SIGTERM: a chain of three services that take 200 ms each stops dependents first, and corral exits 0', async (t) => {
  if (skipUnlessPid1(t)) return;
  const markers = join(scratchDir(t), 'markers');
  const corral = await startCorral({
    pid1: true,
    services: { 'a.yaml': slowToStop('a', markers, []), 'b.yaml': slowToStop('b', markers, ['a']), 'c.yaml': slowToStop('c', markers, ['b']) },
  });
  t.after(() => corral.dispose());
  for (const name of ['a', 'b', 'c']) await corral.waitForLine(new RegExp(`^${name} *\\| ready`));
  const sent = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  const elapsed = corral.exitedAt! - sent;
  t.diagnostic(`corral exited ${elapsed}ms after SIGTERM`);
  assert.equal(readFileSync(markers, 'utf8'), 'term c\ndone c\nterm b\ndone b\nterm a\ndone a\n');
  assert.ok(elapsed < 9000, `took ${elapsed}ms, beyond the 9s budget`);
});

test('a service that ignores SIGTERM is SIGKILLed after its stop_timeout', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'deaf.yaml': `command: "trap '' TERM; echo ready; while :; do sleep 1; done"\nstop_timeout: 300ms\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/deaf *\| ready/);
  const sent = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  const elapsed = corral.exitedAt! - sent;
  t.diagnostic(`corral exited ${elapsed}ms after SIGTERM`);
  assert.ok(corral.texts().includes('corral | warning: deaf: did not stop within 300ms of SIGTERM; sending SIGKILL'), corral.tail());
  assert.ok(corral.texts().includes('corral | deaf stopped (was killed by SIGKILL)'), corral.tail());
  assert.ok(elapsed >= 300, `killed before its stop_timeout: ${elapsed}ms`);
});

test('a second SIGTERM skips the remaining grace', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'deaf.yaml': `command: "trap '' TERM; echo ready; while :; do sleep 1; done"\nstop_timeout: 8s\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/deaf *\| ready/);
  corral.signal('SIGTERM');
  await corral.waitForLine(/stopping 1 service/);
  const second = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  t.diagnostic(`corral exited ${corral.exitedAt! - second}ms after the second SIGTERM`);
  assert.ok(corral.exitedAt! - second < 2000);
  assert.ok(
    corral.texts().some((line) => line.includes('received SIGTERM again: stopping now')),
    corral.tail(),
  );
});

test('a stopped (SIGSTOP) service still gets its stop signal, because SIGCONT follows it', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'frozen.yaml': `command: "trap 'echo got TERM; exit 0' TERM; echo ready; kill -STOP $$; echo continued"\nstop_timeout: 3s\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/frozen *\| ready/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
  assert.ok(
    corral.texts().some((line) => /frozen *\| got TERM/.test(line)),
    corral.tail(),
  );
  assert.ok(corral.texts().includes('corral | frozen stopped (exited with code 0)'), corral.tail());
});

test('leftover processes (a daemon in a session of its own) are swept after the services stop', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      // setsid: the daemon leaves forker's process group, so only the sweep can reach it.
      'forker.yaml': `command: "setsid sh -c 'trap \\"\\" TERM; exec sleep 1000' & echo ready; exit 0"\nrestart: never\n`,
      'idle.yaml': 'command: "sleep 1000"\n',
    },
  });
  t.after(() => corral.dispose());
  // The daemon holds forker's output pipe, so the exit is acted on after the 1 s settle.
  await corral.waitForLine(/forker exited with code 0; not restarting/, 15_000);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(6000), { code: 0, signal: null });
  assert.ok(
    corral.texts().some((line) => /1 process\(es\) left over \(sleep\); sending SIGTERM/.test(line)),
    corral.tail(),
  );
  assert.ok(
    corral.texts().some((line) => /the sweep: did not stop within 1s of SIGTERM; sending SIGKILL/.test(line)),
    corral.tail(),
  );
});

test('corral stays up after every service has exited, until it is told to stop', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'once.yaml': 'command: "echo once"\nrestart: never\n' } });
  t.after(() => corral.dispose());
  await corral.waitForLine(/once exited with code 0; not restarting/);
  const stillUp = await Promise.race([corral.exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 1500))]);
  assert.ok(stillUp, `corral exited on its own:\n${corral.tail()}`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(5000), { code: 0, signal: null });
});
