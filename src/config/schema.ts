// The service file language, as a zod schema. Keys are spelled exactly as users write them
// in YAML, so an issue's path is the YAML path. Objects are strict: an unknown key is an
// error, not silently ignored. The mappings' own schemas are in field-schemas.ts, the
// values' in value-schemas.ts; service-config.ts turns a validated file into what the rest
// of corral runs.
import { z } from 'zod';
import { durationAtLeast } from './floors.js';
import { ONESHOT_ONLY } from './oneshot-timeout.js';
import { switchValue } from './switch-value.js';
import { replicasValue } from './replicas.js';
import { LIMITS } from './limits.js';
import { account, command, duration, environment, secretFileObject, signal, umask } from './value-schemas.js';
import { RLIMIT_NAMES } from '../process/exec-shim.js';
import {
  backoffSchema,
  envFileObject,
  envFiles,
  healthObject,
  healthSchema,
  limitsSchema,
  logSchema,
  maxRestartsSchema,
  readyObject,
  readySchema,
  watchdogObject,
  watchdogSchema,
} from './field-schemas.js';
import { scheduleObject, scheduleSchema } from './schedule.js';

export const restartPolicies = ['always', 'on-failure', 'never'] as const;
// What a file may say as type:; a file with schedule: is of the third type, scheduled.
export const fileServiceTypes = ['longrun', 'oneshot'] as const;
export const failureActions = ['ignore', 'shutdown'] as const;

// A name is also a log prefix and a file name: a DNS label's length is plenty.
export const SERVICE_NAME = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${LIMITS.nameLength - 1}}$`);
export const SERVICE_NAME_RULE = `letters, digits, '.', '_' and '-', starting with a letter or digit, at most ${LIMITS.nameLength} characters`;

export const serviceSchema = z
  .strictObject({
    name: z
      .string({ error: 'expected a service name' })
      .regex(SERVICE_NAME, `expected ${SERVICE_NAME_RULE}`)
      .optional()
      .describe("the service's name (default: the file's name without .yaml)"),
    description: z.string().optional().describe('what the service is, for people; corral print shows it'),
    enabled: switchValue.default(true).describe('false keeps the file but does not run the service; may be ${VAR}; CORRAL_ENABLE, CORRAL_DISABLE override it'),
    command: command.describe('a string run with /bin/sh -c, or a list of arguments'),
    type: z.enum(fileServiceTypes).default('longrun').describe('longrun keeps running; oneshot runs to completion and gates its dependents'),
    main: z.boolean().default(false).describe('the container stops when this service exits, with its exit code'),
    replicas: replicasValue
      .optional()
      .describe(
        `run this many instances, NAME-0, NAME-1, ..., each with CORRAL_REPLICA (its index) and CORRAL_REPLICAS; 0 to ${LIMITS.replicas}; may be \${VAR}`,
      ),
    timeout: durationAtLeast(1, 'a run needs some time').optional().describe('a oneshot still running after this long is stopped and counts as failed'),
    depends_on: z
      .array(z.string(), { error: 'expected a list of service names' })
      .default([])
      .describe('services to start before this one (once ready) and to stop after it'),
    schedule: scheduleSchema
      .optional()
      .describe(
        'run the command on this schedule instead of keeping it running: a cron expression, or {cron | every, timezone, overlap, run_on_start, timeout}',
      ),
    ready: readySchema.optional().describe('how corral knows the service is ready'),
    health: healthSchema.optional().describe('a liveness probe; the service is restarted when it fails'),
    watchdog: watchdogSchema.optional().describe('restart the service when it stops sending WATCHDOG=1 to $NOTIFY_SOCKET for this long (sd_notify)'),
    // No default here: it depends on type and main (see resolveRestart).
    restart: z.enum(restartPolicies).optional().describe('always (default for a longrun), on-failure, or never (default for a oneshot)'),
    backoff: backoffSchema.prefault({}).describe('the delay before each restart'),
    reset_after: duration.prefault('10s').describe('uptime after which the backoff starts again from initial'),
    max_restarts: maxRestartsSchema.optional().describe('give up after count restarts within window'),
    on_failure: z.enum(failureActions).default('ignore').describe('when the service fails for good: ignore, or shutdown the container'),
    stop_signal: signal.prefault('SIGTERM').describe('the signal that asks the service to stop'),
    stop_timeout: duration.prefault('5s').describe('how long to wait after stop_signal before SIGKILL'),
    reload_signal: signal.optional().describe('sent to the service when corral reloads (SIGHUP to corral)'),
    user: account.optional().describe('run as this user (name or uid), with its groups'),
    group: account.optional().describe("the primary group (name or gid) instead of the user's"),
    umask: umask.optional().describe('a quoted octal umask like "0027"'),
    working_dir: z
      .string({ error: 'expected an absolute path' })
      .regex(/^\//, 'expected an absolute path')
      .optional()
      .describe('the directory the command starts in'),
    environment: environment
      .default({})
      .describe('variables to set, over env_file and the inherited ones; {file: PATH} reads a value from a file at each start'),
    env_file: envFiles.optional().describe('files of NAME=value lines, read at start and on reload'),
    inherit_env: z.boolean().default(true).describe("false starts from an empty environment instead of corral's"),
    limits: limitsSchema.prefault({}).describe('resource limits (setrlimit)'),
    log: logSchema.prefault({}).describe("where the service's output goes, and how"),
  })
  .superRefine((value, ctx) => {
    // A scheduled service's type, restart and probes are checked by checkScheduled
    // (schedule-checks.ts), which sees what the file writes rather than the defaults.
    const scheduled = value.schedule !== undefined;
    const contradiction = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { plain: true } });
    if (value.type === 'oneshot' && !scheduled) {
      if (value.health) contradiction('health', 'a oneshot runs to completion, so it cannot have a liveness probe; remove health, or make it type: longrun');
      if (value.watchdog) contradiction('watchdog', 'a oneshot runs to completion, so it cannot have a watchdog; remove watchdog, or make it type: longrun');
      if (value.ready) contradiction('ready', 'a oneshot is ready when it exits with code 0; remove ready, or make it type: longrun');
      if (value.restart === 'always') contradiction('restart', 'a oneshot with restart: always would run for ever; use on-failure or never');
    }
    if (value.timeout !== undefined && value.type !== 'oneshot' && !scheduled) contradiction('timeout', ONESHOT_ONLY);
    if (value.group !== undefined && value.user === undefined) {
      contradiction('group', 'group sets the primary group of user; give user too (e.g. user: app)');
    }
    if (value.replicas === 0 && value.main) {
      contradiction('replicas', 'the main service is one process, and with replicas: 0 the container would run without it; remove replicas, or main');
    }
    if (value.replicas !== undefined && value.replicas > 1) {
      if (value.main) {
        contradiction(
          'replicas',
          `the main service is one process: the container stops when it exits, and ${value.replicas} instances would each stop it; remove main, or set replicas to 1`,
        );
      }
      if (scheduled) {
        contradiction(
          'replicas',
          `a scheduled service runs once at each due time, and ${value.replicas} instances would run each time ${value.replicas} times over; remove replicas, or give each run its own file`,
        );
      }
    }
    if (value.main && !scheduled && value.restart !== undefined && value.restart !== 'never') {
      contradiction('restart', 'the main service is never restarted: the container stops when it exits; remove restart, or main');
    }
  });

export type ServiceFileConfig = z.output<typeof serviceSchema>;

// The keys allowed at each path, for "did you mean" on a misspelt key.
export const keysAt: Record<string, readonly string[]> = {
  '': Object.keys(serviceSchema.shape),
  backoff: Object.keys(backoffSchema.shape),
  ready: Object.keys(readyObject.shape),
  health: Object.keys(healthObject.shape),
  watchdog: Object.keys(watchdogObject.shape),
  log: Object.keys(logSchema.shape),
  env_file: Object.keys(envFileObject.shape),
  max_restarts: Object.keys(maxRestartsSchema.shape),
  schedule: Object.keys(scheduleObject.shape),
  limits: [...RLIMIT_NAMES],
};

// The keys allowed in the mapping at `path` (list indexes left out: env_file.1 has the
// keys of env_file). An environment entry written as a mapping is a secret file's.
export function keysOf(path: readonly (string | number)[]): readonly string[] {
  const parts = path.map(String).filter((part) => !/^\d+$/.test(part));
  if (parts.length === 2 && parts[0] === 'environment') return Object.keys(secretFileObject.shape);
  return keysAt[parts.join('.')] ?? [];
}
