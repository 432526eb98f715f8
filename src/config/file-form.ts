// A loaded service written back as a service file would say it, every default filled in:
// what `corral print` shows. Loading the result gives the same service again, which the
// tests check, so what is printed is what corral runs. Values are printed after ${VAR}
// expansion, so a literal ${ left in them is written $${, as the file would say it.
import { formatByteSize } from './byte-size.js';
import { formatDurationExact } from './duration.js';
import { mapExpandable } from './expand-in-config.js';
import { logSchema, type ReadySpec } from './field-schemas.js';
import type { ServiceConfig } from './service-config.js';
import type { ScheduleConfig } from './schedule.js';
import { NOT_WITH_SCHEDULE } from './schedule-checks.js';
import type { RlimitValue } from '../process/exec-shim.js';

export function fileFormOf(service: ServiceConfig): Record<string, unknown> {
  const form: Record<string, unknown> = {
    name: service.name,
    description: service.description,
    enabled: service.enabled,
    command: service.argv,
    type: service.type,
    main: service.main,
    timeout: service.timeoutMs === undefined ? undefined : duration(service.timeoutMs),
    depends_on: service.depends_on,
    schedule: service.schedule && scheduleForm(service.schedule),
    // A oneshot's readiness is its exit, so it takes no ready key at all.
    ready: service.ready
      ? { ...probeForm(service.ready.spec), interval: duration(service.ready.intervalMs), timeout: duration(service.ready.timeoutMs) }
      : service.type === 'oneshot'
        ? undefined
        : 'none',
    health: service.health && {
      ...probeForm(service.health.spec),
      interval: duration(service.health.intervalMs),
      timeout: duration(service.health.timeoutMs),
      retries: service.health.retries,
    },
    // Always the mapping, so the signal it will be stopped with is shown too.
    watchdog: service.watchdog && { timeout: duration(service.watchdog.timeoutMs), signal: service.watchdog.signal },
    restart: service.restart,
    backoff: {
      initial: duration(service.backoff.initialMs),
      max: duration(service.backoff.maxMs),
      factor: service.backoff.factor,
      jitter: service.backoff.jitter,
    },
    reset_after: duration(service.reset_afterMs),
    max_restarts: service.max_restarts && { count: service.max_restarts.count, window: duration(service.max_restarts.windowMs) },
    on_failure: service.on_failure,
    stop_signal: service.stop_signal,
    stop_timeout: duration(service.stop_timeoutMs),
    reload_signal: service.reload_signal,
    user: service.user,
    group: service.group,
    umask: service.umask === undefined ? undefined : service.umask.toString(8).padStart(4, '0'),
    working_dir: service.working_dir,
    // A secret file as written, {file: PATH}: its value is read at start, never shown.
    environment: { ...service.environment, ...Object.fromEntries(Object.entries(service.secret_files).map(([name, file]) => [name, { file }])) },
    env_file: service.env_file,
    inherit_env: service.inherit_env,
    limits: Object.fromEntries(Object.entries(service.limits).map(([name, value]) => [name, limitForm(value)])),
    log: { ...logForm(service.log), max_line: formatByteSize(service.log.max_line), buffer: formatByteSize(service.log.buffer) },
  };
  // A scheduled service: its schedule, and none of the keys it cannot have (main: false
  // included, which means nothing for it).
  const kept = service.schedule ? Object.entries(form).filter(([key]) => NOT_WITH_SCHEDULE[key] === undefined && key !== 'main') : Object.entries(form);
  // Unset optional keys are left out rather than printed as null.
  return mapExpandable(Object.fromEntries(kept.filter(([, value]) => value !== undefined)), literal);
}

// Always the mapping, so the time zone it is read in and the overlap are shown too.
function scheduleForm(schedule: ScheduleConfig): Record<string, unknown> {
  const { spec } = schedule;
  const when = spec.kind === 'cron' ? { cron: spec.expression, timezone: spec.timezone } : { every: duration(spec.intervalMs) };
  return {
    ...when,
    overlap: schedule.overlap,
    run_on_start: schedule.runOnStart,
    timeout: schedule.timeoutMs === undefined ? undefined : duration(schedule.timeoutMs),
  };
}

const duration = formatDurationExact;

// The log keys in the schema's order, so the printed form does not depend on whether the
// prefix was written in the file or defaulted to the name.
function logForm(log: ServiceConfig['log']): ServiceConfig['log'] {
  const ordered = Object.fromEntries(Object.keys(logSchema.shape).map((key) => [key, log[key as keyof typeof log]]));
  return ordered as ServiceConfig['log'];
}

// Text as it must be written in a key that is ${VAR}-expanded, to mean itself.
function literal(text: string): string {
  // A function, since "$$" in a replacement string means one "$".
  return text.replaceAll('${', () => '$${');
}

function probeForm(spec: ReadySpec): Record<string, unknown> {
  switch (spec.kind) {
    case 'exec':
      return { exec: spec.argv };
    case 'tcp':
      return { tcp: `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}` };
    case 'http':
      return { http: spec.url };
    case 'log':
      return { log: spec.pattern.source };
    case 'notify':
      return { notify: true };
  }
}

function limitForm(value: RlimitValue | undefined): number | string | undefined {
  if (value === undefined) return undefined;
  return value.soft === value.hard ? value.soft : `${value.soft}:${value.hard}`;
}
