// Cron expressions, through croner: it has no dependencies, is widely used and kept, and
// documents what it does at DST transitions (a fixed-time job runs once in a repeated
// hour, and after a skipped one; an interval job runs in both passes and skips a gap, as
// Vixie cron). corral uses it only to compute times: its own timers are not used, so the
// supervisor's clock (and the simulation's virtual one) decides when a run starts.
import { Cron } from 'croner';

export type CronCheck = { ok: true; cron: CompiledCron } | { ok: false; message: string };

export interface CompiledCron {
  /** The first time after `after` (ms since the epoch) that matches; undefined if none. */
  next: (after: number) => number | undefined;
}

const NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const FORMS = '5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or one of @hourly, @daily, @weekly, @monthly, @yearly';

// Compiles `expression` for `timezone` (an IANA name, checked by isTimezone first), or
// says in words what is wrong with it. An expression no date can ever match (30 February)
// is an error too: it would never run.
export function compileCron(expression: string, timezone: string): CronCheck {
  const text = expression.trim();
  if (text === '@reboot') return { ok: false, message: '@reboot is not a schedule here; use run_on_start: true to run it once when corral starts' };
  const fields = text.split(/\s+/).length;
  // croner also takes a date (fire once) and a 7th field (years): neither is a schedule.
  if (text.startsWith('@') ? !NICKNAMES.includes(text.toLowerCase()) : fields !== 5 && fields !== 6) {
    return { ok: false, message: `expected a cron expression of ${FORMS}` };
  }
  let job: Cron;
  try {
    job = new Cron(text, { paused: true, timezone, mode: '5-or-6-parts' });
  } catch (error) {
    return { ok: false, message: `not a valid cron expression: ${cronerReason(error)}` };
  }
  const next = (after: number): number | undefined => job.nextRun(new Date(after))?.getTime();
  if (next(Date.UTC(2000, 0, 1)) === undefined)
    return { ok: false, message: 'no date matches this cron expression (such as 30 February), so it would never run' };
  return { ok: true, cron: { next } };
}

// "CronPattern: Invalid value for minute: 61" -> "invalid value for minute: 61"
function cronerReason(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  const reason = message.replace(/^Cron\w*: /, '');
  return reason.charAt(0).toLowerCase() + reason.slice(1);
}

// True when `name` is a time zone this Node knows (an IANA name such as Europe/Berlin).
export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.trim() !== '';
  } catch {
    return false;
  }
}
