// Scheduled services under corral as PID 1 (issue 18): runs on a schedule with everything
// a service gets, a failed run that is never restarted, the next run time in status
// --json, and corral start and stop. Timings are reported, never assumed: each wait is a
// generous deadline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corralCli, service, statusOf, waitForStatus } from '../helpers/corral-cli.js';
import { pollFor, skipUnlessPid1, startCorral } from '../helpers/corral-process.js';

test('*/1 * * * * *: a run every second, as its user, in its directory, with the container environment, its output prefixed', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    env: { FROM_DOCKER_RUN: 'passed-in' },
    services: {
      'tick.yaml': [
        `command: 'echo "run uid=$(id -u) dir=$(pwd) umask=$(umask) env=$FROM_DOCKER_RUN greeting=$GREETING"'`,
        'schedule: "*/1 * * * * *"',
        'user: nobody',
        'working_dir: /tmp',
        'umask: "0027"',
        'environment: {GREETING: "${FROM_DOCKER_RUN}-expanded"}',
        '',
      ].join('\n'),
    },
  });
  t.after(() => corral.dispose());
  const started = Date.now();
  const runs = await pollFor('3 runs of tick', 10_000, () => {
    const lines = corral.texts('stdout').filter((text) => /^tick +\| run /.test(text));
    return lines.length >= 3 ? lines : undefined;
  });
  t.diagnostic(`3 runs within ${Date.now() - started} ms of corral's start`);
  for (const line of runs) assert.match(line, /^tick +\| run uid=65534 dir=\/tmp umask=0027 env=passed-in greeting=passed-in-expanded$/);
  assert.ok(
    corral.events().some((text) => /^tick started \(pid \d+\)$/.test(text)),
    corral.tail(),
  );
  assert.match(await corral.waitForLine(/tick exited with code 0 after \S+; next run at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/), /next run/);
  const status = await statusOf(corral);
  const tick = service(status, 'tick');
  assert.ok(tick.state === 'scheduled' || tick.state === 'running', tick.state);
  assert.ok(tick.schedule!.runs.succeeded! >= 3, JSON.stringify(tick.schedule));
  assert.equal(tick.ready, true);
});

test('a failing run is logged with its code and duration and counted; it is never restarted, and corral stays healthy', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'flaky.yaml': 'command: "echo failing; exit 3"\nschedule: {every: 2s}\n' } });
  t.after(() => corral.dispose());
  const started = Date.now();
  await pollFor('2 failed runs', 12_000, () =>
    corral.events().filter((text) => /^warning: flaky exited with code 3 after \S+ \(\d+ run\(s\): \d+ failed\); next run at /.test(text)).length >= 2
      ? true
      : undefined,
  );
  const elapsed = Date.now() - started;
  const runs = corral.texts('stdout').filter((text) => /^flaky +\| failing$/.test(text)).length;
  t.diagnostic(`${runs} runs in ${elapsed} ms`);
  // One run per 2 s at most (and one that may just have started): no restart loop.
  assert.ok(runs <= Math.floor(elapsed / 2000) + 1, `${runs} runs in ${elapsed} ms`);
  assert.ok(!corral.events().some((text) => /restarting in/.test(text)), corral.tail());
  const health = await corralCli(corral, ['health']);
  assert.equal(health.code, 0, health.stderr);
  const flaky = service(await statusOf(corral), 'flaky');
  assert.equal(flaky.schedule!.lastRun!.result, 'failed');
  assert.equal(flaky.lastExit!.code, 3);
});

test('status --json: the next run time of a cron schedule in its time zone, and of every', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({
    pid1: true,
    services: {
      // Asia/Tokyo is UTC+9 all year: 03:00 there is 18:00 UTC.
      'nightly.yaml': 'command: "true"\nschedule: {cron: "0 3 * * *", timezone: Asia/Tokyo}\n',
      'fives.yaml': 'command: "true"\nschedule: "*/5 * * * * *"\n',
      'hourly.yaml': 'command: "true"\nschedule: {every: 1h}\n',
    },
  });
  t.after(() => corral.dispose());
  const status = await waitForStatus(corral, 'three scheduled services', (current) =>
    ['nightly', 'fives', 'hourly'].every((name) => service(current, name).schedule?.nextRunAt != null),
  );
  const at = (status.corral as unknown as { at: number }).at;
  const nightly = service(status, 'nightly').schedule!;
  const eighteen = new Date(at);
  eighteen.setUTCHours(18, 0, 0, 0);
  const expected = eighteen.getTime() > at ? eighteen.getTime() : eighteen.getTime() + 86_400_000;
  assert.equal(nightly.nextRunAt, expected, `${new Date(nightly.nextRunAt!).toISOString()} for 03:00 Asia/Tokyo after ${new Date(at).toISOString()}`);
  assert.equal(nightly.description, '0 3 * * * (Asia/Tokyo)');
  const fives = service(status, 'fives').schedule!.nextRunAt!;
  assert.equal(fives % 5000, 0, `${fives} is on a 5 s boundary`);
  assert.ok(fives > at - 5000 && fives <= at + 5000, `${fives} is within 5 s of ${at}`);
  const hourly = service(status, 'hourly');
  assert.ok(
    Math.abs(hourly.schedule!.nextRunAt! - (status.corral as unknown as { startedAt: number }).startedAt - 3_600_000) < 5000,
    JSON.stringify(hourly.schedule),
  );
  const table = await corralCli(corral, ['status']);
  assert.match(table.stdout, /^nightly: 0 3 \* \* \* \(Asia\/Tokyo\), next run \d{4}-\d\d-\d\d 03:00:00 Asia\/Tokyo \(in \S+\); no run yet; 0 run\(s\)$/m);
});

test('corral start runs it now; corral stop pauses it; corral start resumes it and runs it again', async (t) => {
  if (skipUnlessPid1(t)) return;
  const corral = await startCorral({ pid1: true, services: { 'yearly.yaml': 'command: "echo ran at $(date +%s%N)"\nschedule: "@yearly"\n' } });
  t.after(() => corral.dispose());
  await waitForStatus(corral, 'yearly to be scheduled', (status) => service(status, 'yearly').state === 'scheduled');
  const start = await corralCli(corral, ['start', 'yearly']);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /running yearly now/);
  await corral.waitForLine(/^yearly +\| ran at/);
  const stop = await corralCli(corral, ['stop', 'yearly']);
  assert.equal(stop.code, 0, stop.stderr);
  const paused = service(await statusOf(corral), 'yearly');
  assert.equal(paused.state, 'stopped');
  assert.equal(paused.stoppedByOperator, true);
  assert.equal(paused.schedule!.nextRunAt, null);
  assert.match((await corralCli(corral, ['status'])).stdout, /^yearly: schedule paused with corral stop; corral start yearly runs it now and resumes it$/m);
  assert.equal((await corralCli(corral, ['start', 'yearly'])).code, 0);
  await pollFor('a second run', 10_000, () => (corral.texts('stdout').filter((text) => /^yearly +\| ran at/.test(text)).length >= 2 ? true : undefined));
  const resumed = service(await waitForStatus(corral, 'yearly scheduled again', (status) => service(status, 'yearly').state === 'scheduled'), 'yearly');
  assert.ok(resumed.schedule!.nextRunAt! > Date.now(), JSON.stringify(resumed.schedule));
});
