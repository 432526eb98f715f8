// The service file language, as zod schemas. Keys are spelled exactly as users write them
// in YAML, so an issue's path is the YAML path. Objects are strict: an unknown key is an
// error, not silently ignored. Durations, signals, probes and limits are validated and
// normalised here, so the rest of corral works with numbers and argv lists.
import { z } from 'zod';
import { durationAtLeast, FLOORS } from './floors.js';
import { ONESHOT_ONLY } from './oneshot-timeout.js';
import { switchValue } from './switch-value.js';
import { LIMITS } from './limits.js';
import { account, byteSize, command, duration, environment, httpUrl, logPattern, rlimitValue, signal, tcpTarget, umask, type Argv } from './value-schemas.js';
import { RLIMIT_NAMES, type RlimitName } from '../process/exec-shim.js';
import type { ProbeSpec } from './probe-spec.js';
import { scheduleObject, scheduleSchema, type ScheduleConfig } from './schedule.js';

// ready adds two kinds of its own to the probes health shares with it.
export type ReadySpec = ProbeSpec | { kind: 'log'; pattern: RegExp } | { kind: 'notify' };

export const READY_KINDS = ['exec', 'tcp', 'http', 'log', 'notify'] as const;
export const HEALTH_KINDS = ['exec', 'tcp', 'http'] as const;

// Exactly one of the probe keys must be present: say so, naming them.
function exactlyOne(kinds: readonly string[]) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const present = kinds.filter((kind) => value[kind] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `say how to check: one of ${kinds.join(', ')}`
          : `only one of ${kinds.join(', ')} may be given, got ${present.join(' and ')}`,
      params: { plain: true },
    });
  };
}

function checkOf(value: { exec?: Argv; tcp?: { host: string; port: number }; http?: string }): ProbeSpec {
  if (value.exec) return { kind: 'exec', argv: value.exec };
  if (value.tcp) return { kind: 'tcp', ...value.tcp };
  return { kind: 'http', url: value.http! };
}

const readyObject = z.strictObject({
  exec: command.optional().describe('ready once this command exits 0'),
  tcp: tcpTarget.optional().describe('ready once this port (5432 or "host:port") accepts a connection'),
  http: httpUrl.optional().describe('ready once a GET of this URL returns 2xx'),
  log: logPattern.optional().describe('ready once an output line matches this regular expression'),
  notify: z.literal(true, { error: 'expected true (notify: true)' }).optional().describe('ready on READY=1 sent to $NOTIFY_SOCKET (sd_notify)'),
  interval: durationAtLeast(FLOORS.readyIntervalMs, 'the floor for a check while starting').prefault('200ms').describe(`time between two checks; at least ${FLOORS.readyIntervalMs}ms`),
  timeout: duration.prefault('60s').describe('give up and count a failed start after this long'),
});

// ready: none says explicitly what leaving ready out means: ready once started.
export const readySchema = z.union([
  z.literal('none').transform(() => undefined),
  readyObject.superRefine(exactlyOne(READY_KINDS)).transform((value) => {
    const spec: ReadySpec = value.log
      ? { kind: 'log', pattern: value.log }
      : value.notify
        ? { kind: 'notify' }
        : checkOf(value);
    return { spec, intervalMs: value.interval, timeoutMs: value.timeout };
  }),
], { error: 'expected none, or a mapping with one of exec, tcp, http, log, notify' });

const healthObject = z.strictObject({
  exec: command.optional().describe('healthy while this command exits 0'),
  tcp: tcpTarget.optional().describe('healthy while this port accepts connections'),
  http: httpUrl.optional().describe('healthy while a GET of this URL returns 2xx'),
  interval: durationAtLeast(FLOORS.healthIntervalMs, 'the floor for a probe that runs for ever').prefault('10s').describe(`time between two probes; at least ${FLOORS.healthIntervalMs}ms`),
  timeout: duration.prefault('2s').describe('a probe taking longer fails'),
  retries: z.number().int('expected a whole number').min(1, 'retries must be at least 1').default(3).describe('failed probes in a row that restart the service'),
});

export const healthSchema = healthObject
  .superRefine(exactlyOne(HEALTH_KINDS))
  .transform((value) => ({ spec: checkOf(value), intervalMs: value.interval, timeoutMs: value.timeout, retries: value.retries }));

// watchdog: 30s, or {timeout: 30s, signal: SIGABRT}: systemd's WatchdogSec= and
// WatchdogSignal=. SIGABRT by default, as systemd: a hung process leaves a core dump to
// look at, where the runtime writes one.
export const WATCHDOG_DEFAULT_SIGNAL = 'SIGABRT';

const watchdogTimeout = duration.refine((ms) => ms > 0, { error: 'the watchdog timeout must be more than 0' });

const watchdogObject = z.strictObject({
  timeout: watchdogTimeout.describe('the longest time allowed between two WATCHDOG=1 before the service counts as hung'),
  signal: signal.prefault(WATCHDOG_DEFAULT_SIGNAL).describe('the signal that stops a hung service; SIGKILL follows after stop_timeout'),
});

export const watchdogSchema = z
  .union([watchdogTimeout, watchdogObject], { error: 'expected a duration like "30s", or a mapping like {timeout: 30s, signal: SIGABRT}' })
  .transform((value) =>
    typeof value === 'number' ? { timeoutMs: value, signal: WATCHDOG_DEFAULT_SIGNAL as NodeJS.Signals } : { timeoutMs: value.timeout, signal: value.signal },
  );

export const restartPolicies = ['always', 'on-failure', 'never'] as const;
// What a file may say as type:; a file with schedule: is of the third type, scheduled.
export const fileServiceTypes = ['longrun', 'oneshot'] as const;
export const serviceTypes = [...fileServiceTypes, 'scheduled'] as const;
export const failureActions = ['ignore', 'shutdown'] as const;

const restartDelay = durationAtLeast(FLOORS.restartDelayMs, 'the shortest delay between two restarts');
export const backoffSchema = z.strictObject({
  initial: restartDelay.prefault('1s').describe(`the first delay before a restart; at least ${FLOORS.restartDelayMs}ms`),
  max: restartDelay.prefault('30s').describe(`the longest delay; at least ${FLOORS.restartDelayMs}ms`),
  factor: z.number().min(1, 'factor must be at least 1').default(2).describe('each delay is the previous one times this'),
  // 0.2 spreads each delay over ±20%, so services that failed together restart apart.
  jitter: z.number().min(0, 'jitter is 0 to 1').max(1, 'jitter is 0 to 1').default(0.1).describe('spread each delay randomly by this fraction'),
});

export const maxRestartsSchema = z.strictObject({
  count: z.number({ error: 'expected a whole number of restarts' }).int('expected a whole number').min(0, 'count must be 0 or more').describe('restarts allowed within window'),
  window: duration.prefault('5m').describe('the sliding window the restarts are counted in'),
});

export type { RlimitName };
const rlimitNames = RLIMIT_NAMES;

export const limitsSchema = z.strictObject(Object.fromEntries(rlimitNames.map((name) => [name, rlimitValue.optional()])) as Record<RlimitName, z.ZodOptional<typeof rlimitValue>>);

// Where a service's stdout or stderr goes: corral's stdout or stderr, or nowhere.
export const logDestinations = ['stdout', 'stderr', 'discard'] as const;

// block: a slow reader of corral's output makes the service wait (lossless, like Docker's
// default mode=blocking); drop: the service never waits, lines past log.buffer are dropped.
export const logModes = ['block', 'drop'] as const;

export const logSchema = z.strictObject({
  prefix: z
    .string({ error: 'expected a string' })
    // Printed in front of every line: no control character may reach the terminal.
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    .regex(/^[^\s|\x00-\x1f\x7f-\x9f][^|\x00-\x1f\x7f-\x9f]*$/, 'expected text not starting with a space, without "|" or a control character')
    .max(LIMITS.nameLength, `expected at most ${LIMITS.nameLength} characters`)
    .optional()
    .describe("the label in front of each line (default: the service's name)"),
  stdout: z.enum(logDestinations).default('stdout').describe("where the service's stdout goes"),
  stderr: z.enum(logDestinations).default('stderr').describe("where the service's stderr goes"),
  max_line: byteSize(256, 1024 ** 2, 'a line limit')
    .prefault('16KiB')
    .describe('a longer line is split into pieces of this size, marked as continued'),
  mode: z
    .enum(logModes)
    .default('block')
    .describe("when corral's output cannot keep up: block makes the service wait, drop drops whole lines past buffer"),
  buffer: byteSize(4 * 1024, 1024 ** 3, 'a buffer size')
    .prefault('1MiB')
    .describe('drop mode: how much output may wait per stream before lines are dropped'),
});

// env_file: a path, or {path, required}; a path is relative to the service file's directory.
const envFileObject = z.strictObject({ path: z.string().min(1, 'expected a path'), required: z.boolean().default(true) });
const envFileEntry = z.union(
  [
    z.string().min(1, 'expected a path'),
    envFileObject,
  ],
  { error: 'expected a path, or {path: ..., required: false}' },
);
const envFiles = z
  .union([envFileEntry, z.array(envFileEntry)], { error: 'expected a path or a list of paths' })
  .transform((value) => (Array.isArray(value) ? value : [value]).map((entry) => (typeof entry === 'string' ? { path: entry, required: true } : entry)));

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
    timeout: durationAtLeast(1, 'a run needs some time').optional().describe('a oneshot still running after this long is stopped and counts as failed'),
    depends_on: z
      .array(z.string(), { error: 'expected a list of service names' })
      .default([])
      .describe('services to start before this one (once ready) and to stop after it'),
    schedule: scheduleSchema.optional().describe('run the command on this schedule instead of keeping it running: a cron expression, or {cron | every, timezone, overlap, run_on_start, timeout}'),
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
    working_dir: z.string({ error: 'expected an absolute path' }).regex(/^\//, 'expected an absolute path').optional().describe('the directory the command starts in'),
    environment: environment.default({}).describe('variables to set, over env_file and the inherited ones'),
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
      if (value.ready) contradiction('ready', "a oneshot is ready when it exits with code 0; remove ready, or make it type: longrun");
      if (value.restart === 'always') contradiction('restart', 'a oneshot with restart: always would run for ever; use on-failure or never');
    }
    if (value.timeout !== undefined && value.type !== 'oneshot' && !scheduled) contradiction('timeout', ONESHOT_ONLY);
    if (value.group !== undefined && value.user === undefined) {
      contradiction('group', 'group sets the primary group of user; give user too (e.g. user: app)');
    }
    if (value.main && !scheduled && value.restart !== undefined && value.restart !== 'never') {
      contradiction('restart', 'the main service is never restarted: the container stops when it exits; remove restart, or main');
    }
  });

export type ServiceFileConfig = z.output<typeof serviceSchema>;
export type RestartPolicy = (typeof restartPolicies)[number];
export type ServiceType = (typeof serviceTypes)[number];
export type FailureAction = (typeof failureActions)[number];
export type Backoff = z.output<typeof backoffSchema>;
export type ReadyConfig = z.output<typeof readySchema>;
export type HealthConfig = z.output<typeof healthSchema>;
export type WatchdogConfig = z.output<typeof watchdogSchema>;
export type LogConfig = z.output<typeof logSchema>;

// Who a service runs as, resolved from user and group with /etc/passwd and /etc/group.
export interface Identity {
  /** Known when the user is in /etc/passwd: the shim then applies its groups (initgroups). */
  userName?: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  /** corral's own uid and gid: the service keeps them, and corral's groups, with no switch at all. */
  asCorral?: boolean;
}

// A validated service: its file's settings with every default resolved, plus where it
// came from.
export interface ServiceConfig extends Omit<ServiceFileConfig, 'command' | 'restart' | 'name' | 'log' | 'type' | 'schedule'> {
  name: string;
  type: ServiceType;
  schedule?: ScheduleConfig;
  log: Required<LogConfig>;
  file: string;
  argv: Argv;
  restart: RestartPolicy;
  identity?: Identity;
  /** What env_file held when the files were loaded, later files first overridden. */
  env_from_files: Record<string, string>;
  /** The command after `corral --`: starts once every other service is ready. */
  after_all?: boolean;
}

// A validated file's settings as the rest of corral uses them: argv, the resolved restart
// policy, and the log prefix defaulting to the service's name.
export function serviceConfigOf(
  data: ServiceFileConfig,
  where: { name: string; file: string },
  extra: Pick<ServiceConfig, 'identity' | 'env_from_files' | 'after_all'> = { env_from_files: {} },
): ServiceConfig {
  const { command, restart: _restart, name: _name, log, type, schedule, ...settings } = data;
  const prefix = log.prefix ?? where.name;
  const kind = { type: schedule ? ('scheduled' as const) : type, ...(schedule ? { schedule } : {}) };
  return { ...settings, ...kind, ...where, argv: command, restart: resolveRestart(data), log: { ...log, prefix }, identity: undefined, ...extra };
}

// A longrun is restarted unless told otherwise; a oneshot or the main service is not.
// A scheduled service is never restarted: its next run comes on schedule.
export function resolveRestart(value: Pick<ServiceFileConfig, 'restart' | 'type' | 'main' | 'schedule'>): RestartPolicy {
  if (value.restart !== undefined) return value.restart;
  return value.type === 'oneshot' || value.main || value.schedule !== undefined ? 'never' : 'always';
}

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
  limits: [...rlimitNames],
};
