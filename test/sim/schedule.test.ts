// Scheduled services on the virtual clock (issue 18): each overlap policy, a run's
// timeout, failed runs, dependencies, corral start and stop, and a shutdown during a run,
// with exact times. The generated scenarios (lifecycle.test.ts) check the invariants of
// schedule-checks.ts on top of these.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScheduleConfig } from '../../src/config/schedule.js';
import { defaultBehaviour, type Behaviour } from './fake-kernel.js';
import { simulate, SHUTDOWN_SLACK_MS, type ServiceSpec, type SimEvent } from './world.js';

const EVERY_SECOND: ScheduleConfig['spec'] = { kind: 'every', intervalMs: 1000 };

function job(schedule: Partial<ScheduleConfig>, behaviour: Partial<Behaviour>, overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: 'job',
    type: 'longrun',
    deps: [],
    restart: 'never',
    main: false,
    onFailure: 'ignore',
    stopTimeoutMs: 300,
    backoff: { initial: 100, max: 1000, factor: 2 },
    behaviour: { ...defaultBehaviour, spawnFailures: [], ...behaviour },
    schedule: { spec: EVERY_SECOND, overlap: 'skip', runOnStart: false, ...schedule },
    ...overrides,
  };
}

async function run(services: ServiceSpec[], until: number, events: SimEvent[] = [], budgetMs = 2000) {
  const result = await simulate({ services, events: [...events, { at: until, kind: 'signal', signal: 'SIGTERM' }], budgetMs, latencyMs: 1 });
  const starts = (name = 'job'): number[] => result.kernel.spawns.filter((spawn) => spawn.service === name).map((spawn) => spawn.at);
  return { ...result, starts, text: result.logs.join('\n') };
}

test('every 1s: a run at each second, never restarted; each end is logged with its duration and the next run', async () => {
  const result = await run([job({}, { runMs: 100 })], 5500);
  assert.deepEqual(result.starts(), [1000, 2000, 3000, 4000, 5000]);
  assert.match(result.text, /^1101 info job exited with code 0 after 101ms; next run at 1970-01-01 00:00:02 UTC$/m);
  assert.doesNotMatch(result.text, /restarting/);
});

test('run_on_start: once as soon as it starts, then on schedule', async () => {
  const result = await run([job({ runOnStart: true }, { runMs: 100 })], 2500);
  assert.deepEqual(result.starts(), [0, 1000, 2000]);
});

test('overlap: skip: a run due while one goes does not start, and each is logged as skipped', async () => {
  const result = await run([job({ overlap: 'skip' }, { runMs: 2500 })], 7500);
  // 1000 runs until 3500: 2000 and 3000 are skipped; 4000 runs until 6500: 5000 and 6000 skipped.
  assert.deepEqual(result.starts(), [1000, 4000, 7000]);
  assert.equal(result.logs.filter((line) => /job: skipped the run due at .* the run started .* is still going \(overlap: skip\)/.test(line)).length, 4);
});

test('overlap: queue: one run waits and starts when the one going ends; a second due while one waits is skipped', async () => {
  const result = await run([job({ overlap: 'queue' }, { runMs: 2500 })], 6000);
  // 1000 -> 3501 (2000 queued, 3000 skipped) -> starts 3501, runs to 6001.
  assert.deepEqual(result.starts(), [1000, 3501]);
  assert.match(result.text, /^2000 info job: the run due at 1970-01-01 00:00:02 UTC starts when the one going ends \(overlap: queue\)$/m);
  assert.match(result.text, /^3000 warn job: skipped the run due at 1970-01-01 00:00:03 UTC: another run already waits for the one going \(overlap: queue\)$/m);
  assert.match(result.text, /^3501 info job exited with code 0 after 2\.5s; the run that waited starts now$/m);
});

test('overlap: replace: the run going is stopped with its stop signal through the stop procedure, and the next starts once it is gone', async () => {
  const result = await run([job({ overlap: 'replace' }, {})], 3500);
  // A run that never ends by itself: replaced at 2000 (its exit seen at 2002), again at 3000.
  assert.deepEqual(result.starts(), [1000, 2002, 3002]);
  const sigterms = result.kernel.signals.filter((event) => event.service === 'job' && event.signal === 'SIGTERM').map((event) => event.at);
  assert.deepEqual(sigterms.slice(0, 2), [2000, 3000]);
  assert.match(result.text, /^2000 info job: stopping the run still going \(pid \d+\) to start the run due at 1970-01-01 00:00:02 UTC \(overlap: replace\)$/m);
});

test('overlap: replace, with a run that ignores SIGTERM: SIGKILL after stop_timeout, then the next run', async () => {
  const result = await run([job({ overlap: 'replace', spec: { kind: 'every', intervalMs: 2000 } }, { ignoresTerm: true }, { stopTimeoutMs: 300 })], 2900);
  assert.deepEqual(result.starts(), [2000]);
  const late = await run([job({ overlap: 'replace', spec: { kind: 'every', intervalMs: 2000 } }, { ignoresTerm: true }, { stopTimeoutMs: 300 })], 5000);
  // SIGKILL at 4300; the stop procedure sees the group gone at its next poll.
  assert.deepEqual(late.starts(), [2000, 4320]);
  assert.match(late.text, /^4300 warn job: did not stop within 300ms of SIGTERM; sending SIGKILL$/m);
});

test('a run past its timeout is stopped and counts as failed; the schedule goes on', async () => {
  const result = await run([job({ timeoutMs: 400, spec: { kind: 'every', intervalMs: 2000 } }, {})], 4900);
  assert.deepEqual(result.starts(), [2000, 4000]);
  assert.match(result.text, /^2400 warn job: the run \(pid \d+\) is still going after its timeout of 400ms; stopping it$/m);
  assert.match(result.text, /^2402 warn job was stopped: timed out after 400ms \(1 run\(s\): 1 timed-out\); next run at 1970-01-01 00:00:04 UTC$/m);
});

test('a failing run is logged with its code and counted, never restarted, and fails nothing', async () => {
  const result = await run([job({}, { runMs: 10, exitCode: 3 })], 3500);
  assert.deepEqual(result.starts(), [1000, 2000, 3000]);
  assert.match(result.text, /^2011 warn job exited with code 3 after 11ms \(2 run\(s\): 2 failed\); next run at 1970-01-01 00:00:03 UTC$/m);
  assert.equal(result.code, 0);
});

test('a run that cannot be started is a failed run, and the next comes on schedule', async () => {
  const result = await run([job({}, { runMs: 10, spawnFailures: ['ENOENT', 'EAGAIN'] })], 3500);
  assert.deepEqual(result.starts(), [1000, 2000, 3000]);
  assert.match(result.text, /job could not be started: job: EAGAIN \(2 run\(s\): 2 failed\); next run at 1970-01-01 00:00:03 UTC/);
});

test('on_failure: shutdown: a failed run stops the container with its exit code', async () => {
  const result = await run(
    [job({}, { runMs: 10, exitCode: 4 }, { onFailure: 'shutdown' }), { ...job({}, {}), name: 'web', schedule: undefined, restart: 'always' }],
    5000,
  );
  assert.equal(result.code, 4);
  assert.match(result.text, /^1011 error job exited with code 4 after 11ms: a failed run, and job has on_failure: shutdown$/m);
});

test('it waits for its dependencies: the schedule starts once they are ready', async () => {
  const db = { ...job({}, {}), name: 'db', schedule: undefined, restart: 'always' as const };
  const result = await run([db, job({ runOnStart: true }, { runMs: 10 }, { deps: ['db'] })], 1500, [], 2000);
  // db is ready once started (no ready check): at 0 as well, after its spawn.
  assert.deepEqual(result.starts(), [0, 1000]);
  assert.ok(result.logs.findIndex((line) => /db: starting -> running/.test(line)) < result.logs.findIndex((line) => /job: waiting -> starting/.test(line)));
});

test('corral stop pauses the schedule and stops the run; corral start runs it now and resumes it', async () => {
  const events: SimEvent[] = [
    { at: 1500, kind: 'operator', action: 'stop', service: 'job' },
    { at: 4200, kind: 'operator', action: 'start', service: 'job' },
    { at: 4500, kind: 'operator', action: 'start', service: 'job' },
  ];
  const result = await run([job({}, { runMs: 800 })], 6000, events);
  // 1000 runs, stopped at 1500; nothing until the start at 4200 (a run now, and the
  // schedule anew from there); at 4500 that run still goes, so the second start adds none;
  // then on schedule: 5200.
  assert.deepEqual(result.starts(), [1000, 4200, 5200]);
  assert.match(result.text, /^1500 debug job: running -> stopping$/m);
});

test('corral start while it waits for its next run: a run now, besides the schedule', async () => {
  const result = await run([job({}, { runMs: 100 })], 2500, [{ at: 1500, kind: 'operator', action: 'start', service: 'job' }]);
  assert.deepEqual(result.starts(), [1000, 1500, 2000]);
});

test('SIGTERM during a run stops it within the budget', async () => {
  const result = await run([job({}, { ignoresTerm: true }, { stopTimeoutMs: 5000 })], 1500, [], 1000);
  assert.ok(result.finishedAt - result.shutdownAt <= 1000 + SHUTDOWN_SLACK_MS, `took ${result.finishedAt - result.shutdownAt} ms`);
  assert.match(result.text, /job: did not stop within .* all that was left of the shutdown budget; sending SIGKILL/);
});

test('a cron schedule with seconds runs on the wall clock: */2 * * * * * from 0', async () => {
  const result = await run([job({ spec: { kind: 'cron', expression: '*/2 * * * * *', timezone: 'UTC' } }, { runMs: 100 })], 7000);
  assert.deepEqual(result.starts(), [2000, 4000, 6000]);
});
