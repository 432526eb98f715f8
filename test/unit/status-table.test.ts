import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compactBytes, formatStatus, formatUptime, shortExit } from '../../src/control/status-table.js';
import type { ServiceStatus, StatusReport } from '../../src/control/protocol.js';
import type { LastExit } from '../../src/control/snapshot.js';
import { scheduleSnapshot, serviceSnapshot } from '../helpers/snapshots.js';

const AT = 1_700_000_000_000;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

function exit(code: number | null, signal: string | null = null, description = 'described in the log'): LastExit {
  return { description, code, signal };
}

// A service row: a stopped longrun with nothing recorded; `extra` fills in the rest.
function service(name: string, extra: Partial<ServiceStatus>): ServiceStatus {
  return { ...serviceSnapshot(name), usage: null, ...extra };
}

function report(services: ServiceStatus[], corral: Partial<StatusReport['corral']> = {}, container: Partial<StatusReport['container']> = {}): StatusReport {
  return {
    corral: { at: AT, phase: 'running', version: '0.1.0', startedAt: AT - (1 * HOUR + 2 * MINUTE + 3 * SECOND), orphansReaped: 3, pid: 1, ...corral },
    container: {
      version: 2,
      cpuSeconds: 10,
      cpuLimit: 1.5,
      memoryBytes: 40 * MIB,
      memoryLimitBytes: 512 * MIB,
      cpuPercent: 12.34,
      cpusAvailable: 4,
      ...container,
    },
    services,
  };
}

const SERVICES: ServiceStatus[] = [
  service('web', {
    state: 'running',
    ready: true,
    pid: 42,
    startedAt: AT - (2 * MINUTE + 5 * SECOND),
    restarts: 1,
    lastExit: exit(1),
    usage: { cpuSeconds: 3, rssBytes: Math.round(38.1 * MIB), processes: 3, cpuPercent: 7.04 },
  }),
  service('migrate', { type: 'oneshot', state: 'exited', ready: true, lastExit: exit(0) }),
  service('db', { state: 'fatal', restarts: 5, lastExit: exit(null, 'SIGKILL'), problem: 'gave up after 5 restarts in a row' }),
  service('cron', { state: 'stopped', stoppedByOperator: true, lastExit: exit(null, 'SIGTERM') }),
  service('notification-relay', {
    state: 'starting',
    pid: 1234567,
    startedAt: AT - (3 * DAY + 4 * HOUR + 5 * MINUTE),
    restarts: 12,
    lastExit: exit(null, null, 'could not be started: spawn relay ENOENT'),
    usage: { cpuSeconds: 0, rssBytes: Math.round(1.2 * GIB), processes: 17, cpuPercent: null },
  }),
];

describe('formatStatus', () => {
  test('a representative report, exactly', () => {
    const expected = [
      'corral 0.1.0 as PID 1, up 1h02m; 3 orphan(s) reaped',
      'container: CPU 12.3% of 1.5 CPUs; memory 40.0 MiB of 512.0 MiB; cgroup v2',
      '',
      'SERVICE            STATE        PID UPTIME RESTARTS READY CPU%   RSS PROCS LAST EXIT',
      'web                running       42  2m05s        1 yes    7.0 38.1M     3 code 1',
      'migrate            exited         -      -        0 yes      -     -     - code 0',
      'db                 fatal          -      -        5 no       -     -     - SIGKILL',
      'cron               stopped        -      -        0 no       -     -     - SIGTERM',
      'notification-relay starting 1234567  3d04h       12 no       -  1.2G    17 not started',
      '',
      'db: gave up after 5 restarts in a row',
      'cron: stopped with corral stop; corral start cron starts it',
      '',
    ].join('\n');
    assert.equal(formatStatus(report(SERVICES)), expected);
  });

  test('columns are as wide as their content: short names make a narrow table', () => {
    const text = formatStatus(report([service('web', { state: 'running', ready: true, pid: 7, startedAt: AT - 59 * SECOND })]));
    assert.deepEqual(text.split('\n').slice(3), [
      'SERVICE  STATE    PID  UPTIME  RESTARTS  READY  CPU%  RSS  PROCS  LAST EXIT',
      'web      running    7     59s         0  yes       -    -      -  -',
      '',
    ]);
  });

  test('no services: the table says so, and there are no notes', () => {
    assert.equal(
      formatStatus(report([])),
      [
        'corral 0.1.0 as PID 1, up 1h02m; 3 orphan(s) reaped',
        'container: CPU 12.3% of 1.5 CPUs; memory 40.0 MiB of 512.0 MiB; cgroup v2',
        '',
        'no services',
        '',
      ].join('\n'),
    );
  });

  test('not PID 1: the heading gives the pid', () => {
    assert.equal(formatStatus(report([], { pid: 4242 })).split('\n')[0], 'corral 0.1.0 as pid 4242, up 1h02m; 3 orphan(s) reaped');
  });

  test('the shutdown phases are named in the heading', () => {
    assert.equal(formatStatus(report([], { phase: 'stopping' })).split('\n')[0], 'corral 0.1.0 as PID 1, up 1h02m, shutting down; 3 orphan(s) reaped');
    assert.equal(formatStatus(report([], { phase: 'forced' })).split('\n')[0], 'corral 0.1.0 as PID 1, up 1h02m, stopping now; 3 orphan(s) reaped');
  });

  test('the container line says what is unknown and what is unlimited', () => {
    const line = (container: Partial<StatusReport['container']>): string | undefined => formatStatus(report([], {}, container)).split('\n')[1];
    assert.equal(
      line({ cpuPercent: null, cpuLimit: undefined, memoryBytes: undefined, memoryLimitBytes: undefined, version: undefined }),
      'container: CPU ? (no limit, 4 CPUs); memory ? (no limit); no cgroup found',
    );
    assert.equal(line({ version: 1, cpuLimit: 2, cpuPercent: 0 }), 'container: CPU 0.0% of 2 CPUs; memory 40.0 MiB of 512.0 MiB; cgroup v1');
    assert.equal(
      line({ cpuLimit: 0.25, memoryBytes: 512, memoryLimitBytes: GIB }),
      'container: CPU 12.3% of 0.25 CPUs; memory 512 bytes of 1.0 GiB; cgroup v2',
    );
    assert.equal(line({ cpuLimit: 0.1 }), 'container: CPU 12.3% of 0.1 CPUs; memory 40.0 MiB of 512.0 MiB; cgroup v2');
  });

  test('a run that started after the snapshot (clock skew) shows 0s, not a negative uptime', () => {
    const text = formatStatus(report([service('web', { state: 'running', ready: true, pid: 9, startedAt: AT + 5 * SECOND })]));
    assert.equal(text.split('\n')[4], 'web      running    9      0s         0  yes       -    -      -  -');
  });

  test('a service stopped by the operator but not yet stopped gets no stop note; its problem, if any, is shown', () => {
    const stopping = service('web', { state: 'stopping', stoppedByOperator: true, pid: 5, startedAt: AT });
    assert.equal(formatStatus(report([stopping])).split('\n').length, 6);
    const failed = service('web', { state: 'fatal', stoppedByOperator: true, problem: 'gave up' });
    assert.deepEqual(
      formatStatus(report([failed]))
        .split('\n')
        .slice(-3),
      ['', 'web: gave up', ''],
    );
  });

  test('a scheduled service: its state, and a note with its schedule, next run, last run and counts; paused when stopped', () => {
    const runs = { succeeded: 11, failed: 1, 'timed-out': 0, replaced: 0, skipped: 2 };
    const schedule = scheduleSnapshot({
      description: '0 3 * * * (Europe/Berlin)',
      timezone: 'Europe/Berlin',
      nextRunAt: Date.parse('2023-11-15T02:00:00Z'),
      lastRun: { result: 'failed', startedAt: AT - HOUR, durationMs: 1200, description: 'exited with code 3' },
      runs,
    });
    const text = formatStatus(report([service('report', { type: 'scheduled', state: 'scheduled', ready: true, lastExit: exit(3), schedule })]));
    assert.match(text, /^report +scheduled +- +- +0 +yes +- +- +- +code 3$/m);
    assert.match(
      text,
      /^report: 0 3 \* \* \* \(Europe\/Berlin\), next run 2023-11-15 03:00:00 Europe\/Berlin \(in 3h46m\); last run exited with code 3 after 1\.2s; 12 run\(s\): 11 succeeded, 1 failed, 2 skipped$/m,
    );
    const paused = formatStatus(
      report([service('report', { type: 'scheduled', state: 'stopped', stoppedByOperator: true, schedule: { ...schedule, nextRunAt: null } })]),
    );
    assert.match(paused, /^report: schedule paused with corral stop; corral start report runs it now and resumes it$/m);
  });

  test('a blocked service explains itself in a note', () => {
    const blocked = service('api', { state: 'blocked', problem: 'depends on db, which is fatal' });
    assert.deepEqual(
      formatStatus(report([blocked]))
        .split('\n')
        .slice(-3),
      ['', 'api: depends on db, which is fatal', ''],
    );
  });

  test('the heading lines fit 80 columns even with large values', () => {
    const text = formatStatus(
      report(
        [],
        { pid: 1234567, phase: 'stopping', startedAt: AT - 123 * DAY, orphansReaped: 1234 },
        { cpuPercent: 1234.56, cpuLimit: 1.25, memoryBytes: GIB - 1, memoryLimitBytes: GIB - 1, cpusAvailable: 64 },
      ),
    );
    const [first, second] = text.split('\n');
    assert.equal(first, 'corral 0.1.0 as pid 1234567, up 123d00h, shutting down; 1234 orphan(s) reaped');
    assert.equal(second, 'container: CPU 1234.6% of 1.25 CPUs; memory 1024.0 MiB of 1024.0 MiB; cgroup v2');
    for (const line of [first, second]) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  });

  test('a table with names up to 7 characters and pids up to 5 digits fits 80 columns', () => {
    const services = [
      service('gateway', {
        state: 'stopping',
        pid: 12345,
        startedAt: AT - 45 * DAY,
        restarts: 99,
        usage: { cpuSeconds: 1, rssBytes: 120 * MIB, processes: 12, cpuPercent: 99.9 },
        lastExit: exit(137),
      }),
      service('web', {
        state: 'running',
        ready: true,
        pid: 2,
        startedAt: AT - 3 * DAY,
        usage: { cpuSeconds: 1, rssBytes: 512, processes: 1, cpuPercent: 0.1 },
      }),
    ];
    for (const line of formatStatus(report(services)).split('\n')) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  });

  test('a table with names up to 12 characters, pids up to 7 digits and uptimes in days fits 80 columns', () => {
    const services = [
      service('notification', {
        state: 'starting',
        pid: 1234567,
        startedAt: AT - 3 * DAY,
        restarts: 12,
        usage: { cpuSeconds: 1, rssBytes: Math.round(38.1 * MIB), processes: 17, cpuPercent: 12.3 },
        lastExit: exit(137),
      }),
      service('web', {
        state: 'running',
        ready: true,
        pid: 12345,
        startedAt: AT - 3 * DAY,
        usage: { cpuSeconds: 1, rssBytes: Math.round(38.1 * MIB), processes: 3, cpuPercent: 2.3 },
      }),
    ];
    for (const line of formatStatus(report(services)).split('\n')) assert.ok(line.length <= 80, `${line.length} columns: ${line}`);
  });
});

describe('formatUptime', () => {
  // [ms, text]
  const table: [number, string][] = [
    [0, '0s'],
    [999, '0s'],
    [1000, '1s'],
    [59 * SECOND, '59s'],
    [59 * SECOND + 999, '59s'],
    [60 * SECOND, '1m00s'],
    [12 * MINUTE + 3 * SECOND, '12m03s'],
    [HOUR - 1, '59m59s'],
    [HOUR, '1h00m'],
    [5 * HOUR + 7 * MINUTE + 59 * SECOND, '5h07m'],
    [DAY - 1, '23h59m'],
    [DAY, '1d00h'],
    [3 * DAY + 4 * HOUR + 59 * MINUTE, '3d04h'],
    [123 * DAY + 23 * HOUR, '123d23h'],
  ];
  for (const [ms, text] of table) {
    test(`${ms} ms is ${text}`, () => {
      assert.equal(formatUptime(ms), text);
    });
  }
});

describe('compactBytes', () => {
  // [bytes, text]
  const table: [number, string][] = [
    [0, '0B'],
    [512, '512B'],
    [1023, '1023B'],
    [1024, '1.0K'],
    [1536, '1.5K'],
    [100 * 1024, '100K'],
    // Rounded as shown: never "100.0K" nor "1024K".
    [102_399, '100K'],
    [1_048_575, '1.0M'],
    [GIB - 1, '1.0G'],
    [Math.round(38.1 * MIB), '38.1M'],
    [99 * MIB, '99.0M'],
    [120 * MIB, '120M'],
    [Math.round(1.2 * GIB), '1.2G'],
    [GIB, '1.0G'],
    [200 * GIB, '200G'],
  ];
  for (const [bytes, text] of table) {
    test(`${bytes} bytes is ${text}`, () => {
      assert.equal(compactBytes(bytes), text);
    });
  }
});

describe('shortExit', () => {
  test('an exit code is "code N"', () => {
    assert.equal(shortExit(exit(0)), 'code 0');
    assert.equal(shortExit(exit(137)), 'code 137');
  });

  test('a signal is its name', () => {
    assert.equal(shortExit(exit(null, 'SIGKILL')), 'SIGKILL');
  });

  test('neither: the process never started', () => {
    assert.equal(shortExit(exit(null, null, 'could not be started: spawn x ENOENT')), 'not started');
  });

  test('the code wins when both are set', () => {
    assert.equal(shortExit(exit(143, 'SIGTERM')), 'code 143');
  });
});
