// What a scheduled service's file is checked for beyond its own key: the keys that make no
// sense with a schedule, and the time zone a cron schedule without one is read in.
import type { ServiceFileConfig } from './schema.js';
import { isTimezone } from './cron.js';

type Env = Readonly<Record<string, string | undefined>>;

// The time zone a cron schedule without one is read in: corral's $TZ (without the ":" of
// ":Europe/Berlin"), else UTC. undefined when $TZ names no time zone corral knows.
export function defaultTimezone(env: Env): string | undefined {
  const tz = env.TZ?.replace(/^:/, '');
  if (tz === undefined || tz === '') return 'UTC';
  return isTimezone(tz) ? tz : undefined;
}

// The keys a scheduled service cannot have, and why: a run ends on its own, so nothing
// restarts it, nothing waits for it to be ready, and nothing probes it.
export const NOT_WITH_SCHEDULE: Readonly<Record<string, string>> = {
  type: 'a scheduled service runs to completion on its schedule; remove type',
  restart: 'a scheduled service is never restarted: a failed run is logged and counted, and the next run comes on schedule; remove restart',
  backoff: 'a scheduled service is never restarted, so it has no backoff; remove it',
  reset_after: 'a scheduled service is never restarted, so it has no reset_after; remove it',
  max_restarts: 'a scheduled service is never restarted, so it has no max_restarts; remove it',
  ready: 'a run of a scheduled service is running while it runs, and nothing can wait for it; remove ready',
  health: 'a run of a scheduled service is not probed; give it a timeout (schedule: {timeout: 10m}) instead of health',
  watchdog: 'a run of a scheduled service has no watchdog; give it a timeout (schedule: {timeout: 10m}) instead',
  timeout: "a scheduled run's limit is schedule.timeout; move it there (schedule: {every: 1h, timeout: 10m})",
};

// The problems of a file with schedule:, each at its key, and its settings with the time
// zone filled in. `keys` are the keys the file writes.
export function checkScheduled(data: ServiceFileConfig, keys: readonly string[], env: Env, atKey: (key: string, message: string) => void): ServiceFileConfig {
  const schedule = data.schedule;
  if (schedule === undefined) return data;
  for (const key of keys) {
    const why = NOT_WITH_SCHEDULE[key];
    if (why !== undefined) atKey(key, why);
  }
  if (data.main) atKey('main', 'the main service cannot be scheduled: the container stops when it exits; remove main or schedule');
  const spec = schedule.spec;
  if (spec.kind !== 'cron' || spec.timezone !== undefined) return data;
  const timezone = defaultTimezone(env);
  if (timezone === undefined) {
    atKey(
      'schedule',
      `corral's TZ is ${JSON.stringify(env.TZ)}, which is not a time zone name it knows; set schedule.timezone (e.g. {cron: ..., timezone: Europe/Berlin}), or TZ to a name like Europe/Berlin`,
    );
    return data;
  }
  return { ...data, schedule: { ...schedule, spec: { ...spec, timezone } } };
}
