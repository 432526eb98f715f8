// The Prometheus metrics, as a prom-client Registry filled at scrape time from one
// supervisor snapshot and one reading of /proc. Nothing is counted here: the supervisor
// keeps the numbers, and every scrape copies them, so the output is always one instant.
import { Counter, Gauge, Registry } from 'prom-client';
import type { GroupUsage } from '../process/group-usage.js';
import { TRANSITIONS, type ServiceState } from '../supervisor/states.js';
import { RUN_RESULTS } from '../supervisor/schedule-record.js';
import type { SupervisorSnapshot } from './snapshot.js';

// What one scrape needs, gathered by the caller (the supervisor and /proc) in one go.
export interface MetricsInput {
  snapshot: SupervisorSnapshot;
  /** By service name; a service absent from the map has no live process. */
  usage: ReadonlyMap<string, GroupUsage>;
}

export type CollectMetrics = () => Promise<MetricsInput>;

// TRANSITIONS has one key per state (states.test.ts checks it), so it is the runtime list.
const SERVICE_STATES = Object.keys(TRANSITIONS) as ServiceState[];
const STREAMS = ['stdout', 'stderr'] as const;

// Builds a registry of its own (no default Node.js metrics: corral's own heap is not what an
// operator scrapes a supervisor for). Each scrape calls `collect` once, and a failed collect
// makes registry.metrics() reject, so the caller can answer 500 instead of stale numbers.
export function buildMetricsRegistry(collect: CollectMetrics): Registry {
  const registry = new Registry();
  // prom-client asks every metric for its values at once, each through its own collect
  // hook. They all wait on the same pending reading, which fills every metric before any
  // is read; the next scrape starts a new reading.
  let pending: Promise<void> | undefined;
  const metrics = defineMetrics(registry, () => {
    pending ??= collect()
      .then(fill)
      .finally(() => {
        pending = undefined;
      });
    return pending;
  });
  function fill(input: MetricsInput): void {
    // Reset first, so a service removed by a reload disappears instead of keeping its
    // last values forever.
    for (const metric of Object.values(metrics)) metric.reset();
    setValues(metrics, input);
  }
  return registry;
}

type Metrics = ReturnType<typeof defineMetrics>;

function defineMetrics(registry: Registry, collect: () => Promise<void>) {
  const common = { registers: [registry], collect };
  // Counters whose totals are kept elsewhere: prom-client's Counter has only inc(), so each
  // scrape resets it and adds the whole total. That keeps the counter TYPE (which tells
  // Prometheus that rate() applies and that a drop is a reset) without a gauge posing as one.
  return {
    state: new Gauge({
      ...common,
      name: 'corral_service_state',
      help: 'Current state of the service: 1 for the state it is in, 0 for every other state.',
      labelNames: ['service', 'state'] as const,
    }),
    ready: new Gauge({
      ...common,
      name: 'corral_service_ready',
      help: 'Whether the service is ready: 1 when a longrun is running, a oneshot has succeeded or a scheduled service is on its schedule, else 0.',
      labelNames: ['service'] as const,
    }),
    restarts: new Counter({
      ...common,
      name: 'corral_service_restarts_total',
      help: 'Times the restart policy restarted the service since corral started (corral restart is not counted).',
      labelNames: ['service'] as const,
    }),
    uptime: new Gauge({
      ...common,
      name: 'corral_service_uptime_seconds',
      help: 'Seconds since the current run of the service started; absent while it has no run.',
      labelNames: ['service'] as const,
    }),
    cpu: new Counter({
      ...common,
      name: 'corral_service_cpu_seconds_total',
      help: 'CPU time used by the current run of the service and its children (user + system); 0 without a live process.',
      labelNames: ['service'] as const,
    }),
    memory: new Gauge({
      ...common,
      name: 'corral_service_memory_rss_bytes',
      help: 'Resident memory of the service and its children, summed; 0 without a live process.',
      labelNames: ['service'] as const,
    }),
    processes: new Gauge({
      ...common,
      name: 'corral_service_processes',
      help: 'Live processes of the service: its own process and those it started.',
      labelNames: ['service'] as const,
    }),
    orphans: new Counter({
      ...common,
      name: 'corral_orphans_reaped_total',
      help: 'Orphaned processes (not started by corral) that corral reaped as PID 1.',
    }),
    relayed: new Counter({
      ...common,
      name: 'corral_log_lines_relayed_total',
      help: 'Log lines of the service that corral passed on to its own stdout or stderr.',
      labelNames: ['service', 'stream'] as const,
    }),
    dropped: new Counter({
      ...common,
      name: 'corral_log_lines_dropped_total',
      help: 'Log lines of the service that corral dropped (log mode: drop) because its own output could not keep up.',
      labelNames: ['service', 'stream'] as const,
    }),
    scheduledRuns: new Counter({
      ...common,
      name: 'corral_scheduled_runs_total',
      help: 'Runs of a scheduled service since corral started, by result: succeeded, failed, timed-out, replaced (overlap: replace), or skipped (due while a run was going).',
      labelNames: ['service', 'result'] as const,
    }),
    nextRun: new Gauge({
      ...common,
      name: 'corral_scheduled_next_run_timestamp_seconds',
      help: 'When the next run of a scheduled service is due, in seconds since the Unix epoch; absent while its schedule is paused.',
      labelNames: ['service'] as const,
    }),
    info: new Gauge({
      ...common,
      name: 'corral_info',
      help: 'Always 1; the version label says which corral is running.',
      labelNames: ['version'] as const,
    }),
    startTime: new Gauge({
      ...common,
      name: 'corral_start_time_seconds',
      help: 'When corral started, in seconds since the Unix epoch.',
    }),
  };
}

function setValues(metrics: Metrics, { snapshot, usage }: MetricsInput): void {
  metrics.info.set({ version: snapshot.version }, 1);
  metrics.startTime.set(snapshot.startedAt / 1000);
  metrics.orphans.inc(snapshot.orphansReaped);
  for (const service of snapshot.services) {
    const labels = { service: service.name };
    for (const state of SERVICE_STATES) {
      metrics.state.set({ ...labels, state }, state === service.state ? 1 : 0);
    }
    metrics.ready.set(labels, service.ready ? 1 : 0);
    metrics.restarts.inc(labels, service.restarts);
    // Absent rather than 0 without a run: 0 would read as "just started" and fire
    // "restarted recently" alerts for a service that is stopped; corral_service_state says that.
    if (service.startedAt !== null) {
      metrics.uptime.set(labels, Math.max(0, snapshot.at - service.startedAt) / 1000);
    }
    // Per run: a restart starts a new process group, which Prometheus sees as a counter reset.
    const group = usage.get(service.name);
    metrics.cpu.inc(labels, group?.cpuSeconds ?? 0);
    metrics.memory.set(labels, group?.rssBytes ?? 0);
    metrics.processes.set(labels, group?.processes ?? 0);
    for (const stream of STREAMS) {
      metrics.relayed.inc({ ...labels, stream }, service.linesRelayed[stream]);
      metrics.dropped.inc({ ...labels, stream }, service.linesDropped[stream]);
    }
    const { schedule } = service;
    if (schedule === null) continue;
    for (const result of RUN_RESULTS) metrics.scheduledRuns.inc({ ...labels, result }, schedule.runs[result]);
    if (schedule.nextRunAt !== null) metrics.nextRun.set(labels, schedule.nextRunAt / 1000);
  }
}
