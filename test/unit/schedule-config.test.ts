// The schedule key as `corral check` reads it: every form it takes, and every mistake
// reported at its file, line, column and key (issue 18).
import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { loadServices } from '../../src/config/load-services.js';
import { ConfigError } from '../../src/config/config-error.js';
import { scratchFiles } from '../helpers/scratch.js';

function load(t: TestContext, files: Record<string, string>, env: Record<string, string> = {}) {
  return loadServices(scratchFiles(t, files), { env });
}

// Each problem as "file line:col path: message".
function problems(t: TestContext, files: Record<string, string>, env: Record<string, string> = {}): string[] {
  const dir = scratchFiles(t, files);
  try {
    loadServices(dir, { env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((p) => `${p.file.slice(dir.length + 1)} ${p.line}:${p.col} ${p.path}: ${p.message}`);
  }
  return assert.fail('expected a ConfigError');
}

describe('schedule: the forms it takes', () => {
  test('a cron string: type scheduled, never restarted, skip, not on start, read in UTC without TZ', (t) => {
    const [report] = load(t, { 'report.yaml': 'command: ["node", "report.js"]\nschedule: "*/15 * * * *"\n' });
    assert.equal(report?.type, 'scheduled');
    assert.equal(report?.restart, 'never');
    assert.deepEqual(report?.schedule, { spec: { kind: 'cron', expression: '*/15 * * * *', timezone: 'UTC' }, overlap: 'skip', runOnStart: false });
  });

  test('a 6-field expression (seconds first) and the nicknames load', (t) => {
    for (const expression of [
      '*/1 * * * * *',
      '0 30 2 * * *',
      '@hourly',
      '@daily',
      '@weekly',
      '@monthly',
      '@yearly',
      '@annually',
      '@midnight',
      '0 0 L * *',
      '0 9 * * MON-FRI',
    ]) {
      const [job] = load(t, { 'job.yaml': `command: x\nschedule: "${expression}"\n` });
      assert.equal(job?.schedule?.spec.kind === 'cron' && job.schedule.spec.expression, expression);
    }
  });

  test('the mapping: cron with a timezone, overlap, run_on_start and timeout', (t) => {
    const text = 'command: x\nschedule: {cron: "0 3 * * *", timezone: Europe/Berlin, overlap: replace, run_on_start: true, timeout: 10m}\n';
    const [job] = load(t, { 'job.yaml': text });
    assert.deepEqual(job?.schedule, {
      spec: { kind: 'cron', expression: '0 3 * * *', timezone: 'Europe/Berlin' },
      overlap: 'replace',
      runOnStart: true,
      timeoutMs: 600_000,
    });
  });

  test('every: a duration, with no time zone', (t) => {
    const [job] = load(t, { 'job.yaml': 'command: x\nschedule: {every: 10m, overlap: queue}\n' }, { TZ: 'Europe/Berlin' });
    assert.deepEqual(job?.schedule, { spec: { kind: 'every', intervalMs: 600_000 }, overlap: 'queue', runOnStart: false });
  });

  test("without a timezone, corral's TZ (with or without its leading colon) is the zone", (t) => {
    for (const tz of ['America/New_York', ':America/New_York']) {
      const [job] = load(t, { 'job.yaml': 'command: x\nschedule: "0 3 * * *"\n' }, { TZ: tz });
      assert.deepEqual(job?.schedule?.spec, { kind: 'cron', expression: '0 3 * * *', timezone: 'America/New_York' });
    }
  });

  test('${VAR} in a schedule comes from the environment, so docker run -e reschedules it', (t) => {
    const files = { 'job.yaml': 'command: x\nschedule: "${BACKUP_AT:-0 3 * * *}"\n' };
    assert.deepEqual(load(t, files)[0]?.schedule?.spec, { kind: 'cron', expression: '0 3 * * *', timezone: 'UTC' });
    assert.deepEqual(load(t, files, { BACKUP_AT: '*/5 * * * *' })[0]?.schedule?.spec, { kind: 'cron', expression: '*/5 * * * *', timezone: 'UTC' });
  });

  test('a scheduled service may depend on others', (t) => {
    const services = load(t, { 'db.yaml': 'command: x\n', 'job.yaml': 'command: x\ndepends_on: [db]\nschedule: "@hourly"\n' });
    assert.deepEqual(services.find((service) => service.name === 'job')?.depends_on, ['db']);
  });
});

describe('schedule: mistakes, each at its place', () => {
  const cases: [string, string, string][] = [
    ['a minute out of range', 'schedule: "61 * * * *"', 'job.yaml 2:11 schedule: not a valid cron expression: invalid value for minute: 61, got "61 * * * *"'],
    [
      'too few fields',
      'schedule: "* * *"',
      'job.yaml 2:11 schedule: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @hourly, @daily, @weekly, @monthly, @yearly, got "* * *"',
    ],
    [
      'a 7th field (years)',
      'schedule: "0 0 0 * * * 2030"',
      'job.yaml 2:11 schedule: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @hourly, @daily, @weekly, @monthly, @yearly, got "0 0 0 * * * 2030"',
    ],
    [
      'a date (croner would fire once)',
      'schedule: "2030-01-23T00:00:00"',
      'job.yaml 2:11 schedule: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @hourly, @daily, @weekly, @monthly, @yearly, got "2030-01-23T00:00:00"',
    ],
    [
      '@reboot',
      'schedule: "@reboot"',
      'job.yaml 2:11 schedule: @reboot is not a schedule here; use run_on_start: true to run it once when corral starts, got "@reboot"',
    ],
    [
      'an unknown nickname',
      'schedule: "@fortnightly"',
      'job.yaml 2:11 schedule: expected a cron expression of 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @hourly, @daily, @weekly, @monthly, @yearly, got "@fortnightly"',
    ],
    [
      'an impossible date',
      'schedule: {cron: "0 0 30 2 *"}',
      'job.yaml 2:18 schedule.cron: no date matches this cron expression (such as 30 February), so it would never run, got "0 0 30 2 *"',
    ],
    ['a step of 0', 'schedule: "*/0 * * * *"', 'job.yaml 2:11 schedule: not a valid cron expression: syntax error, illegal stepping: 0, got "*/0 * * * *"'],
    [
      'an unknown time zone',
      'schedule: {cron: "@daily", timezone: Europe/Nowhere}',
      'job.yaml 2:38 schedule.timezone: expected a time zone name like Europe/Berlin or UTC (an IANA name), got "Europe/Nowhere"',
    ],
    [
      'a time zone for every',
      'schedule: {every: 1h, timezone: UTC}',
      'job.yaml 2:33 schedule.timezone: a timezone applies to cron only; every counts time, whatever the zone',
    ],
    ['neither cron nor every', 'schedule: {overlap: queue}', 'job.yaml 2:1 schedule: say when: cron or every'],
    ['both cron and every', 'schedule: {cron: "@daily", every: 1h}', 'job.yaml 2:1 schedule: only one of cron and every may be given'],
    ['every under a second', 'schedule: {every: 500ms}', 'job.yaml 2:19 schedule.every: expected at least 1s, got "500ms"'],
    [
      'an unknown overlap',
      'schedule: {every: 1h, overlap: skipp}',
      'job.yaml 2:32 schedule.overlap: expected one of skip, queue, replace, got "skipp"; did you mean "skip"?',
    ],
    ['a misspelt key', 'schedule: {every: 1h, timout: 5m}', 'job.yaml 2:23 schedule.timout: unknown key "timout"; did you mean "timeout"?'],
    [
      'a number',
      'schedule: 15',
      'job.yaml 2:11 schedule: expected a cron expression like "*/15 * * * *", or a mapping like {cron: "0 3 * * *"} or {every: 10m}, got 15',
    ],
  ];
  for (const [what, line, expected] of cases) {
    test(what, (t) => {
      assert.deepEqual(problems(t, { 'job.yaml': `command: x\n${line}\n` }), [expected]);
    });
  }

  test('the keys a scheduled service cannot have, each at its key', (t) => {
    const text = ['command: x', 'schedule: "@hourly"', 'type: oneshot', 'restart: on-failure', 'ready: {tcp: 80}', 'health: {tcp: 80}', 'main: true', ''].join(
      '\n',
    );
    assert.deepEqual(problems(t, { 'job.yaml': text }), [
      'job.yaml 3:1 type: a scheduled service runs to completion on its schedule; remove type',
      'job.yaml 4:1 restart: a scheduled service is never restarted: a failed run is logged and counted, and the next run comes on schedule; remove restart',
      'job.yaml 5:1 ready: a run of a scheduled service is running while it runs, and nothing can wait for it; remove ready',
      'job.yaml 6:1 health: a run of a scheduled service is not probed; give it a timeout (schedule: {timeout: 10m}) instead of health',
      'job.yaml 7:1 main: the main service cannot be scheduled: the container stops when it exits; remove main or schedule',
    ]);
  });

  test('nothing may depend on a scheduled service: said at the depends_on entry', (t) => {
    const files = { 'job.yaml': 'command: x\nschedule: "@hourly"\n', 'web.yaml': 'command: x\ndepends_on:\n  - job\n' };
    const [problem, ...rest] = problems(t, files);
    assert.deepEqual(rest, []);
    assert.match(
      problem!,
      /^web\.yaml 3:5 depends_on\.0: "job" is a scheduled service \(schedule: in \S+\/job\.yaml\): it runs on its schedule, so there is nothing to wait for; remove the dependency$/,
    );
  });

  test('a TZ that names no time zone is reported at schedule, and says how to fix it', (t) => {
    assert.deepEqual(problems(t, { 'job.yaml': 'command: x\nschedule: "@daily"\n' }, { TZ: 'CET-1CEST' }), [
      'job.yaml 2:1 schedule: corral\'s TZ is "CET-1CEST", which is not a time zone name it knows; set schedule.timezone (e.g. {cron: ..., timezone: Europe/Berlin}), or TZ to a name like Europe/Berlin',
    ]);
    // every needs no zone, and a timezone of its own makes TZ irrelevant.
    assert.equal(load(t, { 'job.yaml': 'command: x\nschedule: {every: 1m}\n' }, { TZ: 'CET-1CEST' }).length, 1);
    assert.equal(load(t, { 'job.yaml': 'command: x\nschedule: {cron: "@daily", timezone: UTC}\n' }, { TZ: 'CET-1CEST' }).length, 1);
  });
});
