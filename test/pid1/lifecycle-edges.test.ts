// The lifecycle's edges that need a real kernel (issue 16): an exit acted on while a
// grandchild holds the pipe, leftovers in a group stopped before a restart, the exit code
// of a SIGTERM before the main service started, and no start announced for an exec that
// failed. The rest of the edges are driven by the simulation (test/sim).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { descendantsOf, pollFor, procStat, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';
import { readFileSync } from 'node:fs';

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

// corral as PID 1 with one service, `name`, running the shell command `command` and
// restarted on failure 100 ms later, at most `count` times; disposed when the test ends.
async function startRestarting(t: TestContext, name: string, command: string, count: number): Promise<CorralProcess> {
  const corral = await startCorral({
    pid1: true,
    services: {
      [`${name}.yaml`]: `command: "${command}"\nrestart: on-failure\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\nmax_restarts: {count: ${count}, window: 1m}\n`,
    },
    deadlineMs: 30_000,
  });
  t.after(() => corral.dispose());
  return corral;
}

test('item 3: an exit is acted on while a grandchild in a session of its own still writes to the pipe', async (t) => {
  if (skipUnlessPid1(t)) return;
  // The chatterbox keeps the stdout pipe open and busy for ever; the service exits 1.
  const corral = await startRestarting(t, 'talker', "setsid sh -c 'while :; do echo chatter; sleep 0.05; done' & echo up; sleep 0.2; exit 1", 1);
  await corral.waitForLine(/talker exited with code 1; restarting in 100ms/, 10_000);
  await corral.waitForLine(/talker exited with code 1; giving up/, 10_000);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(15_000), { code: 0, signal: null });
});

test('item 5: what a run leaves in its process group is stopped before the restart and after the last run', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startRestarting(t, 'leaky', 'sleep 1000 & echo run; sleep 0.3; exit 1', 3);
  const sleepers = (): number => descendantsOf(corral.hostPid).filter((pid) => comm(pid) === 'sleep' && procStat(pid)?.state !== 'Z').length;
  let most = 0;
  await pollFor('leaky to be given up on', 20_000, () => {
    most = Math.max(most, sleepers());
    return corral.texts().some((line) => /leaky exited with code 1; giving up/.test(line)) ? true : undefined;
  });
  // The leftover of the last run is stopped too, before the fatal state.
  await pollFor('no sleep 1000 left', 5000, () => (sleepers() === 0 ? true : undefined));
  assert.ok(most <= 2, `at most one run's sleeps at a time, saw ${most}`);
  assert.ok(
    corral.texts().some((line) => /leaky exited with code 1; stopping the 1 process\(es\) left in its group/.test(line)),
    corral.tail(),
  );
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});

test('item 6: SIGTERM before the main command has started exits 143, as during init scripts', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    // The command after -- waits for every other service; setup never finishes.
    services: { 'setup.yaml': 'command: "echo setting up; sleep 1000"\ntype: oneshot\n' },
    args: ['--', 'sh', '-c', 'echo main ran'],
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/setup +\| setting up/);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 143, signal: null });
  assert.ok(!corral.texts().some((line) => /main ran/.test(line)));
});

test('item 9: a command that cannot be executed is never announced as started', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: { 'typo.yaml': 'command: ["/usr/bin/no-such-server"]\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\n' },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/typo could not be started: .*ENOENT/);
  await corral.waitForLine(/typo could not be started: .*restarting in 100ms/);
  assert.ok(!corral.texts().some((line) => /typo started/.test(line)), corral.tail());
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
});
