// The schedule key: a service that runs its command on a schedule instead of keeping it
// running. A cron expression ("*/15 * * * *", a 6-field form with seconds, @hourly ...),
// or a mapping with cron (and timezone) or every, how a run that is still going when the
// next is due is handled (overlap), whether it runs once at start, and a run's timeout.
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { compileCron, isTimezone } from './cron.js';

export const overlapPolicies = ['skip', 'queue', 'replace'] as const;
export type Overlap = (typeof overlapPolicies)[number];

export type ScheduleSpec =
  /** timezone: as written; load-services.ts fills in $TZ, else UTC, before it runs. */
  { kind: 'cron'; expression: string; timezone?: string } | { kind: 'every'; intervalMs: number };

export interface ScheduleConfig {
  spec: ScheduleSpec;
  overlap: Overlap;
  runOnStart: boolean;
  /** A run still going after this long is stopped, and counts as failed. */
  timeoutMs?: number;
}

const positiveDuration = (at: string, min: number, minText: string) =>
  z
    .string({ error: `expected a duration like "${at}"` })
    .regex(DURATION_PATTERN, { error: `expected a duration like "${at}"` })
    .transform((text) => parseDuration(text)!)
    .refine((ms) => ms >= min, { error: `expected at least ${minText}` });

// A cron expression, checked by croner now so that `corral check` reports it.
const cronExpression = z.string({ error: 'expected a cron expression like "*/15 * * * *"' }).superRefine((text, ctx) => {
  const check = compileCron(text, 'UTC');
  if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message });
});

const timezone = z.string({ error: 'expected a time zone name like Europe/Berlin' }).superRefine((name, ctx) => {
  if (!isTimezone(name)) ctx.addIssue({ code: 'custom', message: 'expected a time zone name like Europe/Berlin or UTC (an IANA name)' });
});

export const scheduleObject = z.strictObject({
  cron: cronExpression.optional().describe('a cron expression: 5 fields, 6 with seconds first, or @hourly, @daily ...'),
  every: positiveDuration('10m', 1000, '1s').optional().describe('run every this long, counted from when corral started it'),
  timezone: timezone.optional().describe('the time zone the cron expression is read in'),
  overlap: z.enum(overlapPolicies).default('skip').describe('a run still going when the next is due: skip the new one, queue it, or replace the old one'),
  run_on_start: z.boolean().default(false).describe('also run once as soon as its dependencies are ready'),
  timeout: positiveDuration('30m', 1, 'more than 0')
    .optional()
    .describe('stop a run that takes longer (stop_signal, then SIGKILL after stop_timeout); it counts as failed'),
});

export const scheduleSchema = z.union(
  [
    cronExpression.transform((expression): ScheduleConfig => ({ spec: { kind: 'cron', expression: expression.trim() }, overlap: 'skip', runOnStart: false })),
    scheduleObject
      .superRefine((value, ctx) => {
        const plain = { params: { plain: true } };
        if ((value.cron === undefined) === (value.every === undefined)) {
          ctx.addIssue({ code: 'custom', message: value.cron === undefined ? 'say when: cron or every' : 'only one of cron and every may be given', ...plain });
        } else if (value.every !== undefined && value.timezone !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'a timezone applies to cron only; every counts time, whatever the zone', ...plain });
        }
      })
      .transform((value): ScheduleConfig => ({
        spec:
          value.cron === undefined
            ? { kind: 'every', intervalMs: value.every! }
            : { kind: 'cron', expression: value.cron.trim(), ...(value.timezone === undefined ? {} : { timezone: value.timezone }) },
        overlap: value.overlap,
        runOnStart: value.run_on_start,
        ...(value.timeout === undefined ? {} : { timeoutMs: value.timeout }),
      })),
  ],
  { error: 'expected a cron expression like "*/15 * * * *", or a mapping like {cron: "0 3 * * *"} or {every: 10m}' },
);
