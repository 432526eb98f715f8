// What the supervisor reports about itself and its services, at one instant: the data
// behind `corral status`, the ready/health probes and the metrics. Plain data, no I/O.
import type { ServiceType } from '../config/service-config.js';
import type { ServiceState } from '../supervisor/states.js';
import type { LastRun, RunResult } from '../supervisor/schedule-record.js';

export interface LastExit {
  /** "exited with code 2", "was killed by SIGKILL", "could not be started: ..." */
  description: string;
  code: number | null;
  signal: string | null;
}

export interface StreamCounts {
  stdout: number;
  stderr: number;
}

export interface ServiceSnapshot {
  name: string;
  type: ServiceType;
  main: boolean;
  state: ServiceState;
  /** A longrun that is running, or a oneshot that succeeded: what dependents wait for. */
  ready: boolean;
  /** Stopped with `corral stop`: left alone by the probes and by dependency starts. */
  stoppedByOperator: boolean;
  pid: number | null;
  /** When the current run started (ms since the epoch); null when not running. */
  startedAt: number | null;
  /** Restarts by the restart policy (not by `corral restart`) since corral started. */
  restarts: number;
  lastExit: LastExit | null;
  /** Why it is blocked or failed for good, in words; null otherwise. */
  problem: string | null;
  linesRelayed: StreamCounts;
  linesDropped: StreamCounts;
  /** A scheduled service's schedule and runs; null for the others. */
  schedule: ScheduleSnapshot | null;
  /** An instance of a service with replicas: which group, which one, of how many; null for the others. */
  replica: { of: string; index: number; count: number } | null;
}

export interface ScheduleSnapshot {
  /** "*\/15 * * * * (Europe/Berlin)", "every 10m" */
  description: string;
  /** The zone its times are read in (UTC for every). */
  timezone: string;
  overlap: 'skip' | 'queue' | 'replace';
  timeoutMs: number | null;
  /** When the next run is due (ms since the epoch); null while stopped (paused). */
  nextRunAt: number | null;
  lastRun: LastRun | null;
  /** Runs by result since corral started; skipped: due while another ran (overlap). */
  runs: Record<RunResult, number>;
}

export interface SupervisorSnapshot {
  /** ms since the epoch, when the snapshot was taken. */
  at: number;
  phase: 'running' | 'stopping' | 'forced';
  version: string;
  startedAt: number;
  orphansReaped: number;
  services: ServiceSnapshot[];
}
