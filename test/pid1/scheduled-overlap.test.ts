// Runs that overlap, time out, or are going when the container stops, under corral as
// PID 1 (issue 18). Each run says when it starts and ends, with its pid, so the order of
// its output shows that runs never overlap; every wait is a generous deadline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pollFor, skipUnlessPid1, startCorral, type CorralProcess } from '../helpers/corral-process.js';

// A run that takes 2.5 s, every second: each due run but one in three meets a run going.
const slowEverySecond = (overlap: string): string =>
  `command: 'echo "start $$"; sleep 2.5; echo "end $$"'\nschedule: {every: 1s, overlap: ${overlap}}\nstop_timeout: 2s\n`;

// The start and end lines of `name`'s runs, in order, as "start PID" / "end PID".
function runLines(corral: CorralProcess, name: string): string[] {
  return corral.texts('stdout').flatMap((text) => {
    const match = new RegExp(`^${name} +\\| ((start|end) \\d+)$`).exec(text);
    return match ? [match[1]!] : [];
  });
}

// Each start is followed by the end of the same run (or nothing yet), never another start.
function assertOneAtATime(lines: string[], what: string): void {
  for (let i = 0; i < lines.length; i += 2) {
    assert.match(lines[i]!, /^start /, `${what}: ${lines.join(', ')}`);
    if (i + 1 < lines.length) assert.equal(lines[i + 1], lines[i]!.replace('start', 'end'), `${what}: ${lines.join(', ')}`);
  }
}

test('overlap: skip skips and logs a due run while one goes; queue starts one when it ends; replace stops the one going', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    deadlineMs: 40_000,
    services: { 'skipper.yaml': slowEverySecond('skip'), 'queuer.yaml': slowEverySecond('queue'), 'replacer.yaml': slowEverySecond('replace') },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/skipped the run due at .* \(pid \d+\) is still going \(overlap: skip\)$/, 15_000);
  await corral.waitForLine(/^corral +\| queuer: the run due at .* starts when the one going ends \(overlap: queue\)$/, 15_000);
  await corral.waitForLine(/^corral +\| queuer exited with code 0 after \S+; the run that waited starts now$/, 15_000);
  await corral.waitForLine(/^corral +\| replacer: stopping the run still going \(pid \d+\) to start the run due at .* \(overlap: replace\)$/, 15_000);
  await corral.waitForLine(/^corral +\| replacer was killed by SIGTERM after \S+; the run that waited starts now$/, 15_000);
  // Two whole runs of the skipper and queuer: their output never interleaves.
  for (const name of ['skipper', 'queuer']) {
    const lines = await waitForRuns(corral, name, 2);
    assertOneAtATime(lines, name);
  }
  const replaced = runLines(corral, 'replacer');
  t.diagnostic(`replacer: ${replaced.join(', ')}`);
  assert.ok(!replaced.some((line) => line.startsWith('end')), `a replaced run never reaches its end: ${replaced.join(', ')}`);
});

// The lines of `name`'s runs once `count` of them have ended.
function waitForRuns(corral: CorralProcess, name: string, count: number): Promise<string[]> {
  return pollFor(
    `${count} whole runs of ${name}`,
    20_000,
    () => {
      const lines = runLines(corral, name);
      return lines.filter((line) => line.startsWith('end')).length >= count ? lines : undefined;
    },
    { last: () => runLines(corral, name).join(', ') },
  );
}

test('a run past its timeout is stopped with stop_signal, then SIGKILL after stop_timeout, and counts as failed', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      'polite.yaml': 'command: "echo begin; sleep 30"\nschedule: {every: 2s, timeout: 700ms}\n',
      'deaf.yaml': `command: "trap '' TERM; echo begin; sleep 30"\nschedule: {every: 2s, timeout: 700ms}\nstop_timeout: 300ms\n`,
    },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^corral +\| warning: polite: the run \(pid \d+\) is still going after its timeout of 700ms; stopping it$/, 10_000);
  await corral.waitForLine(/^corral +\| warning: polite was stopped: timed out after 700ms \(1 run\(s\): 1 timed-out\); next run at /, 10_000);
  await corral.waitForLine(/^corral +\| warning: deaf: did not stop within 300ms of SIGTERM; sending SIGKILL$/, 10_000);
  await corral.waitForLine(/^corral +\| warning: deaf was stopped: timed out after 700ms \(1 run\(s\): 1 timed-out\); next run at /, 10_000);
});

test('SIGTERM during a run stops it within the shutdown budget', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { CORRAL_SHUTDOWN_TIMEOUT: '2s' },
    services: { 'backup.yaml': `command: "trap '' TERM; echo backing up; sleep 60"\nschedule: {cron: "@daily", run_on_start: true}\nstop_timeout: 30s\n` },
  });
  t.after(() => corral.dispose());
  await corral.waitForLine(/^backup +\| backing up$/, 10_000);
  const sent = Date.now();
  corral.signal('SIGTERM');
  assert.deepEqual(await corral.waitExit(10_000), { code: 0, signal: null });
  const elapsed = corral.exitedAt! - sent;
  t.diagnostic(`corral exited ${elapsed}ms after SIGTERM, with a budget of 2s`);
  assert.ok(
    corral
      .events()
      .some((text) => /^warning: backup: did not stop within \S+ of SIGTERM, all that was left of the shutdown budget; sending SIGKILL$/.test(text)),
    corral.tail(),
  );
  assert.ok(corral.events().includes('backup stopped (was killed by SIGKILL)'), corral.tail());
  // The budget, and the slack of the kill wait (docs/services.md).
  assert.ok(elapsed < 2000 + 2500, `took ${elapsed}ms`);
});
