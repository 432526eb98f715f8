// The service file language, as zod schemas. Keys are spelled exactly as users write them
// in YAML, so an issue's path is the YAML path. Objects are strict: an unknown key is an
// error, not silently ignored. Durations, signals, probes and limits are validated and
// normalised here, so the rest of corral works with numbers and argv lists.
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { normalizeSignal } from '../process/signal-names.js';
import { RLIMIT_NAMES, type RlimitName, type RlimitValue } from '../process/exec-shim.js';
import type { ProbeSpec } from '../readiness/probe-spec.js';

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

type Argv = [string, ...string[]];

// A command: a string for /bin/sh -c, or an argv list; normalised to an argv list.
const command = z
  .union(
    [z.string().trim().min(1, 'the command is empty'), z.array(z.string()).min(1, 'the command list is empty')],
    { error: 'expected a string (run with /bin/sh -c) or a list of arguments' },
  )
  .transform((value): Argv => (typeof value === 'string' ? ['/bin/sh', '-c', value] : (value as Argv)));

const port = z.number().int().min(1, 'a port is 1 to 65535').max(65535, 'a port is 1 to 65535');

// tcp: 5432, or tcp: "db:5432" / "[::1]:5432".
const tcpTarget = z
  .union([port, z.string().regex(/^(.+):(\d{1,5})$/, 'expected a port like 5432 or "host:port"')], {
    error: 'expected a port like 5432 or "host:port"',
  })
  .transform((value, ctx) => {
    if (typeof value === 'number') return { host: '127.0.0.1', port: value };
    const at = value.lastIndexOf(':');
    const number = Number(value.slice(at + 1));
    if (number < 1 || number > 65535) {
      ctx.issues.push({ code: 'custom', input: value, message: 'a port is 1 to 65535' });
      return z.NEVER;
    }
    return { host: value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: number };
  });

const httpUrl = z.string({ error: 'expected a URL like "http://127.0.0.1:8080/healthz"' }).regex(/^https?:\/\/[^/\s]+/, {
  error: 'expected a URL like "http://127.0.0.1:8080/healthz"',
});

const logPattern = z.string({ error: 'expected a regular expression like "listening on"' }).transform((text, ctx) => {
  try {
    return new RegExp(text);
  } catch (error) {
    // V8 says "Invalid regular expression: /(/: Unterminated group"; the pattern is shown anyway.
    const why = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    ctx.issues.push({ code: 'custom', input: text, message: `not a valid regular expression: ${why}` });
    return z.NEVER;
  }
});

// ready adds two kinds of its own to the probes health shares with it.
export type ReadySpec = ProbeSpec | { kind: 'log'; pattern: RegExp } | { kind: 'notify' };

const readyKinds = ['exec', 'tcp', 'http', 'log', 'notify'] as const;
const healthKinds = ['exec', 'tcp', 'http'] as const;

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

export const readySchema = z
  .strictObject({
    exec: command.optional(),
    tcp: tcpTarget.optional(),
    http: httpUrl.optional(),
    log: logPattern.optional(),
    notify: z.literal(true, { error: 'expected true (notify: true)' }).optional(),
    interval: duration.default(200),
    timeout: duration.default(60_000),
  })
  .superRefine(exactlyOne(readyKinds))
  .transform((value) => {
    const spec: ReadySpec = value.log
      ? { kind: 'log', pattern: value.log }
      : value.notify
        ? { kind: 'notify' }
        : checkOf(value);
    return { spec, intervalMs: value.interval, timeoutMs: value.timeout };
  });

export const healthSchema = z
  .strictObject({
    exec: command.optional(),
    tcp: tcpTarget.optional(),
    http: httpUrl.optional(),
    interval: duration.default(10_000),
    timeout: duration.default(2000),
    retries: z.number().int('expected a whole number').min(1, 'retries must be at least 1').default(3),
  })
  .superRefine(exactlyOne(healthKinds))
  .transform((value) => ({ spec: checkOf(value), intervalMs: value.interval, timeoutMs: value.timeout, retries: value.retries }));

export const restartPolicies = ['always', 'on-failure', 'never'] as const;
export const serviceTypes = ['longrun', 'oneshot'] as const;
export const failureActions = ['ignore', 'shutdown'] as const;

export const backoffSchema = z.strictObject({
  initial: duration.default(1000),
  max: duration.default(30_000),
  factor: z.number().min(1, 'factor must be at least 1').default(2),
  // 0.2 spreads each delay over ±20%, so services that failed together restart apart.
  jitter: z.number().min(0, 'jitter is 0 to 1').max(1, 'jitter is 0 to 1').default(0.1),
});

export const maxRestartsSchema = z.strictObject({
  count: z.number().int('expected a whole number').min(0, 'count must be 0 or more'),
  window: duration.default(300_000),
});

export type { RlimitName };
const rlimitNames = RLIMIT_NAMES;

// A limit: 4096 (soft = hard), "1024:4096" (soft:hard), or unlimited.
const rlimitValue = z
  .union(
    [
      z.number().int().min(0, 'a limit is 0 or more'),
      z.literal('unlimited'),
      z.string().regex(/^(\d+|unlimited):(\d+|unlimited)$/, 'expected a number, unlimited, or "SOFT:HARD" like "1024:4096"'),
    ],
    { error: 'expected a number, unlimited, or "SOFT:HARD" like "1024:4096"' },
  )
  .transform((value, ctx): RlimitValue => {
    if (typeof value === 'number' || value === 'unlimited') return { soft: value, hard: value };
    const [soft, hard] = value.split(':').map((part) => (part === 'unlimited' ? 'unlimited' : Number(part))) as [RlimitValue['soft'], RlimitValue['hard']];
    if (soft === 'unlimited' ? hard !== 'unlimited' : hard !== 'unlimited' && soft > hard) {
      ctx.issues.push({ code: 'custom', input: value, message: 'the soft limit must not exceed the hard limit' });
      return z.NEVER;
    }
    return { soft, hard };
  });

export const limitsSchema = z.strictObject(Object.fromEntries(rlimitNames.map((name) => [name, rlimitValue.optional()])) as Record<RlimitName, z.ZodOptional<typeof rlimitValue>>);

// A user or group: a name, or a numeric id.
const account = z.union(
  [z.string().trim().min(1, 'expected a name or a numeric id, not an empty string'), z.number().int().min(0, 'a numeric id is 0 or more')],
  { error: 'expected a name or a numeric id' },
);

// YAML reads 0027 as the decimal 27, so a umask must be a quoted octal string.
const umask = z
  .string({ error: 'expected a quoted octal string like "0027" (YAML reads 0027 unquoted as the number 27)' })
  .regex(/^0?[0-7]{1,3}$/, 'expected an octal umask like "0027"')
  .transform((text) => parseInt(text, 8));

const environment = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name of letters, digits and _, not starting with a digit'),
  z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' }).transform(String),
  { error: 'expected a mapping of NAME: value' },
);

export const serviceSchema = z
  .strictObject({
    description: z.string().optional(),
    enabled: z.boolean().default(true),
    command,
    type: z.enum(serviceTypes).default('longrun'),
    main: z.boolean().default(false),
    depends_on: z.array(z.string(), { error: 'expected a list of service names' }).default([]),
    ready: readySchema.optional(),
    health: healthSchema.optional(),
    // No default here: it depends on type and main (see resolveRestart).
    restart: z.enum(restartPolicies).optional(),
    backoff: backoffSchema.default({ initial: 1000, max: 30_000, factor: 2, jitter: 0.1 }),
    reset_after: duration.default(10_000),
    max_restarts: maxRestartsSchema.optional(),
    on_failure: z.enum(failureActions).default('ignore'),
    stop_signal: signal.default('SIGTERM'),
    stop_timeout: duration.default(5000),
    user: account.optional(),
    group: account.optional(),
    umask: umask.optional(),
    working_dir: z.string().startsWith('/', 'expected an absolute path').optional(),
    environment: environment.default({}),
    limits: limitsSchema.default({}),
  })
  .superRefine((value, ctx) => {
    const contradiction = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: { plain: true } });
    if (value.type === 'oneshot') {
      if (value.health) contradiction('health', 'a oneshot runs to completion, so it cannot have a liveness probe; remove health, or make it type: longrun');
      if (value.ready) contradiction('ready', "a oneshot is ready when it exits with code 0; remove ready, or make it type: longrun");
      if (value.restart === 'always') contradiction('restart', 'a oneshot with restart: always would run for ever; use on-failure or never');
    }
    if (value.group !== undefined && value.user === undefined) {
      contradiction('group', 'group sets the primary group of user; give user too (e.g. user: app)');
    }
    if (value.main && value.restart !== undefined && value.restart !== 'never') {
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

// Who a service runs as, resolved from user and group with /etc/passwd and /etc/group.
export interface Identity {
  /** Known when the user is in /etc/passwd: the shim then applies its groups (initgroups). */
  userName?: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

// A validated service: its file's settings with every default resolved, plus where it
// came from.
export interface ServiceConfig extends Omit<ServiceFileConfig, 'command' | 'restart'> {
  name: string;
  file: string;
  argv: Argv;
  restart: RestartPolicy;
  identity?: Identity;
  /** The command after `corral --`: starts once every other service is ready. */
  after_all?: boolean;
}

// A longrun is restarted unless told otherwise; a oneshot or the main service is not.
export function resolveRestart(value: Pick<ServiceFileConfig, 'restart' | 'type' | 'main'>): RestartPolicy {
  if (value.restart !== undefined) return value.restart;
  return value.type === 'oneshot' || value.main ? 'never' : 'always';
}

// The keys allowed at each path, for "did you mean" on a misspelt key.
export const keysAt: Record<string, readonly string[]> = {
  '': Object.keys(serviceSchema.shape),
  backoff: Object.keys(backoffSchema.shape),
  ready: Object.keys(readySchema.in.shape),
  health: Object.keys(healthSchema.in.shape),
  max_restarts: Object.keys(maxRestartsSchema.shape),
  limits: [...rlimitNames],
};
