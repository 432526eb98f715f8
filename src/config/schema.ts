// The service file language, as zod schemas. Keys are spelled exactly as users write them
// in YAML, so an issue's path is the YAML path. Objects are strict: an unknown key is an
// error, not silently ignored. Durations and signals are validated and normalised here.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { normalizeSignal } from '../process/signal-names.js';

const duration = z.string({ error: 'expected a duration like "10s" or "500ms"' }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', input: text, message: 'expected a duration like "10s" or "500ms"' });
    return z.NEVER;
  }
  return ms;
});

const signal = z.string({ error: 'expected a signal name like SIGTERM' }).transform((text, ctx) => {
  const name = normalizeSignal(text);
  if (name === undefined) {
    ctx.issues.push({ code: 'custom', input: text, message: 'expected a signal name like SIGTERM or HUP' });
    return z.NEVER;
  }
  return name;
});

const command = z.union(
  [
    z.string().trim().min(1, 'the command is empty'),
    z.array(z.string()).min(1, 'the command list is empty'),
  ],
  { error: 'expected a string (run with /bin/sh -c) or a list of arguments' },
);

export const restartPolicies = ['always', 'on-failure', 'never'] as const;

export const backoffSchema = z.strictObject({
  initial: duration.default(1000),
  max: duration.default(30_000),
  factor: z.number().min(1, 'factor must be at least 1').default(2),
});

export const serviceSchema = z.strictObject({
  command,
  restart: z.enum(restartPolicies).default('always'),
  backoff: backoffSchema.default({ initial: 1000, max: 30_000, factor: 2 }),
  reset_after: duration.default(10_000),
  stop_signal: signal.default('SIGTERM'),
  stop_timeout: duration.default(5000),
});

export type ServiceFileConfig = z.output<typeof serviceSchema>;
export type RestartPolicy = (typeof restartPolicies)[number];

// A validated service: its file's settings plus where it came from.
export interface ServiceConfig extends ServiceFileConfig {
  name: string;
  file: string;
  argv: [string, ...string[]];
}

// The keys allowed at each path, for "did you mean" on a misspelt key.
export const keysAt: Record<string, readonly string[]> = {
  '': Object.keys(serviceSchema.shape),
  backoff: Object.keys(backoffSchema.shape),
};
