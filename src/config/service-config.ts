// A service as the rest of corral runs it: its file's settings (schema.ts) with every
// default resolved, plus where it came from, who it runs as, and what its env_file held.
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import type { Argv } from './value-schemas.js';
import type { healthSchema, logSchema, readySchema, watchdogSchema } from './field-schemas.js';
import type { ScheduleConfig } from './schedule.js';
import type { ReplicaOf } from './replicas.js';
// Types only: the running corral imports this module, and must not load zod (issue 20).
import type { fileServiceTypes, failureActions, restartPolicies, ServiceFileConfig } from './schema.js';

export type RestartPolicy = (typeof restartPolicies)[number];
export type ServiceType = (typeof fileServiceTypes)[number] | 'scheduled';
export type FailureAction = (typeof failureActions)[number];
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

// A duration in the internal config is in milliseconds and says so: its key is the YAML
// key with Ms added (stop_timeout: 5s is stop_timeoutMs: 5000), as for ready.timeoutMs,
// so the YAML key is still found in the code, and each key keeps the one spelling rule.
export interface Backoff {
  initialMs: number;
  maxMs: number;
  factor: number;
  jitter: number;
}

export interface MaxRestarts {
  count: number;
  windowMs: number;
}

type Converted =
  | 'command'
  | 'restart'
  | 'name'
  | 'log'
  | 'type'
  | 'schedule'
  | 'backoff'
  | 'reset_after'
  | 'max_restarts'
  | 'stop_timeout'
  | 'timeout'
  | 'environment'
  | 'replicas';

// A validated service: its file's settings with every default resolved, plus where it
// came from.
export interface ServiceConfig extends Omit<ServiceFileConfig, Converted> {
  name: string;
  type: ServiceType;
  schedule?: ScheduleConfig;
  log: Required<LogConfig>;
  file: string;
  argv: Argv;
  restart: RestartPolicy;
  identity?: Identity;
  /** The environment map's values written as text. */
  environment: Record<string, string>;
  /**
   * The environment map's {file: PATH} entries: variable name to absolute path. Only the
   * path: the value is read at each start (secret-file.ts) and lives only in that run's
   * environment, so nothing that shows a config (print, status, a reload's diff) has it.
   */
  secret_files: Record<string, string>;
  /** What env_file held when the files were loaded, later files first overridden. */
  env_from_files: Record<string, string>;
  /** The command after `corral --`: starts once every other service is ready. */
  after_all?: boolean;
  backoff: Backoff;
  /** Uptime after which the backoff starts again from initialMs. */
  reset_afterMs: number;
  max_restarts?: MaxRestarts;
  /** How long after stop_signal before SIGKILL. */
  stop_timeoutMs: number;
  /** A oneshot's run still going after this long is stopped and counts as failed. */
  timeoutMs?: number;
  /** One instance of a service with replicas (replicas.ts): NAME-index. */
  replica?: ReplicaOf;
}

// A validated file's settings as the rest of corral uses them: argv, the resolved restart
// policy, the log prefix defaulting to the service's name, and durations named in ms.
export function serviceConfigOf(
  data: ServiceFileConfig,
  where: { name: string; file: string },
  extra: Pick<ServiceConfig, 'identity' | 'env_from_files' | 'after_all'> = { env_from_files: {} },
): ServiceConfig {
  const {
    command,
    restart: _restart,
    name: _name,
    log,
    type,
    schedule,
    backoff,
    reset_after,
    max_restarts,
    stop_timeout,
    timeout,
    environment,
    replicas: _replicas,
    ...settings
  } = data;
  const prefix = log.prefix ?? where.name;
  const kind = { type: schedule ? ('scheduled' as const) : type, ...(schedule ? { schedule } : {}) };
  const durations = {
    backoff: { initialMs: backoff.initial, maxMs: backoff.max, factor: backoff.factor, jitter: backoff.jitter },
    reset_afterMs: reset_after,
    ...(max_restarts ? { max_restarts: { count: max_restarts.count, windowMs: max_restarts.window } } : {}),
    stop_timeoutMs: stop_timeout,
    ...(timeout === undefined ? {} : { timeoutMs: timeout }),
  };
  return {
    ...settings,
    ...kind,
    ...durations,
    ...splitEnvironment(environment, where.file),
    ...where,
    argv: command,
    restart: resolveRestart(data),
    log: { ...log, prefix },
    identity: undefined,
    ...extra,
  };
}

// The environment map as values and secret files; a relative path is relative to the
// service file's directory, as env_file's are.
function splitEnvironment(map: ServiceFileConfig['environment'], file: string): Pick<ServiceConfig, 'environment' | 'secret_files'> {
  const environment: Record<string, string> = {};
  const secret_files: Record<string, string> = {};
  for (const [name, value] of Object.entries(map)) {
    if (typeof value === 'string') environment[name] = value;
    else secret_files[name] = resolve(dirname(file), value.file);
  }
  return { environment, secret_files };
}

// A longrun is restarted unless told otherwise; a oneshot or the main service is not.
// A scheduled service is never restarted: its next run comes on schedule.
export function resolveRestart(value: Pick<ServiceFileConfig, 'restart' | 'type' | 'main' | 'schedule'>): RestartPolicy {
  if (value.restart !== undefined) return value.restart;
  return value.type === 'oneshot' || value.main || value.schedule !== undefined ? 'never' : 'always';
}
