// When a scheduled service's runs are due, as a pure function of its schedule and the
// time it was started: the cron expression's matches in its time zone (croner), or every
// interval counted from the start. Only times after a given one: runs missed while corral
// was not running, or while it was busy, are never replayed.
import { compileCron } from '../config/cron.js';
import { formatDuration } from '../shared/format-duration.js';
export { formatDueTime } from '../shared/format-due-time.js';
import type { ScheduleSpec } from '../config/schedule.js';

export interface DueTimes {
  /** The first due time strictly after `after` (ms since the epoch); undefined: none. */
  next: (after: number) => number | undefined;
  /** "*\/15 * * * * (Europe/Berlin)", "every 10m": for the log and `corral status`. */
  readonly description: string;
  /** The zone times are shown in: the cron's, UTC for every. */
  readonly timezone: string;
}

export function dueTimes(spec: ScheduleSpec, startedAt: number): DueTimes {
  const described = describeSchedule(spec);
  switch (spec.kind) {
    case 'every': {
      const { intervalMs } = spec;
      return { ...described, next: (after) => startedAt + intervalMs * (Math.floor(Math.max(0, after - startedAt) / intervalMs) + 1) };
    }
    case 'cron': {
      const check = compileCron(spec.expression, described.timezone);
      // The loader checked it: a failure here is a bug in corral.
      if (!check.ok) throw new Error(`schedule "${spec.expression}": ${check.message}`);
      return { ...described, next: check.cron.next };
    }
  }
}

export function describeSchedule(spec: ScheduleSpec): { description: string; timezone: string } {
  if (spec.kind === 'every') return { description: `every ${formatDuration(spec.intervalMs)}`, timezone: 'UTC' };
  const timezone = spec.timezone ?? 'UTC';
  return { description: `${spec.expression} (${timezone})`, timezone };
}
