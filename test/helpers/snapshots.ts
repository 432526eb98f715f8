// Service snapshots for tests of what is built on them (probes, status table, metrics): a
// stopped longrun with nothing recorded, plus what the test sets.
import type { ScheduleSnapshot, ServiceSnapshot } from '../../src/control/snapshot.js';

export function serviceSnapshot(name: string, fields: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    name,
    type: 'longrun',
    main: false,
    state: 'stopped',
    ready: false,
    stoppedByOperator: false,
    pid: null,
    startedAt: null,
    restarts: 0,
    lastExit: null,
    problem: null,
    linesRelayed: { stdout: 0, stderr: 0 },
    linesDropped: { stdout: 0, stderr: 0 },
    schedule: null,
    replica: null,
    ...fields,
  };
}

// The schedule of a scheduled service's snapshot: every 15 minutes in UTC, skipping
// overlaps, paused (no next run), no run yet, plus what the test sets.
export function scheduleSnapshot(fields: Partial<ScheduleSnapshot> = {}): ScheduleSnapshot {
  return {
    description: '*/15 * * * * (UTC)',
    timezone: 'UTC',
    overlap: 'skip',
    timeoutMs: null,
    nextRunAt: null,
    lastRun: null,
    runs: { succeeded: 0, failed: 0, 'timed-out': 0, replaced: 0, skipped: 0 },
    ...fields,
  };
}
