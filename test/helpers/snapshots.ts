// Service snapshots for tests of what is built on them (probes, status table, metrics): a
// stopped longrun with nothing recorded, plus what the test sets.
import type { ServiceSnapshot } from '../../src/control/snapshot.js';

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
    ...fields,
  };
}
