// corral as PID 1 reaps every orphan, and services' exit statuses survive the storm.
//
// Causal by construction: the service that exits with 3 is the one that makes the orphans,
// so each reported exit comes after its own storm, whatever the machine's speed. The test
// waits for events (exits, log lines) with generous deadlines; how fast the orphans were
// reaped is reported as a diagnostic, since speed belongs in bench/.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { childrenOf, pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';
import { cFixture } from '../helpers/fixtures.js';

const STORMS = 3;
const PER_STORM = 2000;

test('2000 orphans a run leave no zombie; the service that made them is reported with exit 3 and restarted each time', async (t) => {
  if (skipUnlessPid1(t)) return;
  const storm = cFixture('orphan-storm');
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_LOG_LEVEL: 'debug' },
    deadlineMs: 60_000,
    services: {
      'flaky.yaml': `command: "${storm} ${PER_STORM}; exit 3"\nrestart: on-failure\nbackoff: {initial: 100ms, max: 100ms, jitter: 0}\n`,
    },
  });
  t.after(() => corral.dispose());
  const exits = (): string[] => corral.texts().filter((line) => /flaky (exited|was killed|could not)/.test(line));

  const started = Date.now();
  await pollFor(`${STORMS} exits of flaky`, 40_000, () => (exits().length >= STORMS ? true : undefined));
  const exitedAt = Date.now();
  const stormLines = corral.texts().filter((line) => new RegExp(`flaky *\\| made ${PER_STORM} orphans`).test(line)).length;
  assert.ok(stormLines >= STORMS, `each exit follows a finished storm:\n${corral.tail()}`);
  // Every orphan of those storms is reaped while corral runs (on a loaded machine some may
  // still be on their way to _exit when a storm reports itself done: wait, with a deadline).
  const reaped = (): number => corral.texts().filter((line) => /reaped orphan pid \d+, /.test(line)).length;
  await pollFor(`every orphan of ${STORMS} storms reaped`, 20_000, () => (reaped() >= STORMS * PER_STORM ? true : undefined), {
    last: () => `${reaped()} reaped`,
  });
  t.diagnostic(`${stormLines} storms, ${reaped()} orphans reaped; ${exitedAt - started} ms from start to the ${STORMS}rd exit`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });

  const ends = exits();
  for (const line of ends.slice(0, STORMS)) assert.match(line, /flaky exited with code 3; restarting in 100ms$/);
  const starts = corral.texts().filter((line) => /flaky started \(pid \d+\)/.test(line)).length;
  // Exit k needs start k: the restarts after exits 1 .. STORMS-1 happened.
  assert.ok(starts >= STORMS, `every exit of flaky but the last was followed by a restart:\n${corral.tail()}`);
});

test('no zombie is left while a storm service keeps running', async (t) => {
  if (skipUnlessPid1(t)) return;
  const storm = cFixture('orphan-storm');
  const corral = await startCorral({
    pid1: true,
    deadlineMs: 60_000,
    services: { 'storm.yaml': `command: "${storm} ${PER_STORM}; exec sleep 1000"\nrestart: never\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(new RegExp(`storm *\\| made ${PER_STORM} orphans`), 30_000);
  const made = Date.now();
  const zombies = (): number => childrenOf(corral.hostPid).filter((child) => child.state === 'Z').length;
  await pollFor('no zombies', 20_000, () => (zombies() === 0 ? true : undefined));
  t.diagnostic(`no zombie ${Date.now() - made} ms after the orphans were made`);
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(20_000), { code: 0, signal: null });
});
