// The supervisor's state as plain data (snapshot.ts), for the control socket and the
// metrics: read at one instant, nothing kept.
import { describeOutcome, type ExitOutcome } from '../process/exit-outcome.js';
import type { ServiceRunner } from '../supervisor/service-runner.js';
import { ScheduledRunner } from '../supervisor/scheduled-runner.js';
import { describeSchedule } from '../supervisor/schedule-times.js';
import { isSatisfied } from '../supervisor/states.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { LastExit, ScheduleSnapshot, ServiceSnapshot, SupervisorSnapshot } from './snapshot.js';

export interface SnapshotSource {
  supervisor: Supervisor;
  orphansReaped: () => number;
  version: string;
  startedAt: number;
  now: () => number;
}

export function takeSnapshot(source: SnapshotSource): SupervisorSnapshot {
  const { supervisor } = source;
  return {
    at: source.now(),
    phase: supervisor.phase,
    version: source.version,
    startedAt: source.startedAt,
    orphansReaped: source.orphansReaped(),
    services: supervisor.services.map(snapshotOf),
  };
}

function snapshotOf(runner: ServiceRunner): ServiceSnapshot {
  const { config, status } = runner;
  const dropped = (stream: 'stdout' | 'stderr'): number => runner.dropQueues[stream]?.droppedLines ?? 0;
  const problem = status.state === 'blocked' ? `needs ${status.chain.join(', which needs ')}` : status.state === 'fatal' ? status.failure : null;
  return {
    name: runner.name,
    type: config.type,
    main: config.main,
    state: status.state,
    ready: isSatisfied(config.type, status.state),
    stoppedByOperator: runner.stoppedByOperator,
    pid: runner.pid ?? null,
    startedAt: runner.startedAt ?? null,
    restarts: runner.restarts,
    lastExit: runner.lastOutcome ? lastExit(runner.lastOutcome) : null,
    problem,
    linesRelayed: { stdout: runner.lineCounts.stdout.lines - dropped('stdout'), stderr: runner.lineCounts.stderr.lines - dropped('stderr') },
    linesDropped: { stdout: dropped('stdout'), stderr: dropped('stderr') },
    schedule: runner instanceof ScheduledRunner ? scheduleOf(runner) : null,
    replica: config.replica ? { ...config.replica } : null,
  };
}

function scheduleOf(runner: ScheduledRunner): ScheduleSnapshot {
  const { schedule, record } = runner;
  return {
    ...describeSchedule(schedule.spec),
    overlap: schedule.overlap,
    timeoutMs: schedule.timeoutMs ?? null,
    nextRunAt: runner.nextRunAt ?? null,
    lastRun: record.last ?? null,
    runs: { ...record.counts },
  };
}

function lastExit(outcome: ExitOutcome): LastExit {
  return {
    description: describeOutcome(outcome),
    code: outcome.kind === 'exited' ? outcome.code : null,
    signal: outcome.kind === 'signalled' ? outcome.signal : null,
  };
}
